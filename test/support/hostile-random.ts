/** A small deterministic generator (an LCG), so a hostile run can be replayed from its seed. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** encodeURIComponent that does not throw on lone surrogates (they become %EF%BF%BD). */
export function encodeURIComponentLoose(text: string): string {
  return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '\ufffd'));
}
