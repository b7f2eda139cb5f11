import { planReconciliation, type ReplicaRowState } from './reconciliation-plan';

const sha = (c: string) => c.repeat(64);

describe('planReconciliation', () => {
  const placedAt = 1_000_000;
  const ready = (updatedAtMs = placedAt): ReplicaRowState => ({ state: 'ready', updatedAtMs });

  it('leaves a ready file of the right size, not modified since, alone (no hashing)', () => {
    const plan = planReconciliation(
      [{ sha256: sha('a'), size: 10, mtimeMs: placedAt - 5 }],
      new Map([[sha('a'), 10]]),
      new Map([[sha('a'), ready()]]),
    );
    expect(plan).toEqual({ remove: [], dropRows: [], fetch: [], verify: [] });
  });

  it('hashes a file whose row is not ready, or that was modified after it became ready', () => {
    const plan = planReconciliation(
      [
        { sha256: sha('a'), size: 10, mtimeMs: placedAt },
        { sha256: sha('b'), size: 20, mtimeMs: placedAt + 1 },
        { sha256: sha('c'), size: 30, mtimeMs: placedAt },
      ],
      new Map([
        [sha('a'), 10],
        [sha('b'), 20],
        [sha('c'), 30],
      ]),
      new Map<string, ReplicaRowState>([
        [sha('a'), { state: 'pending', updatedAtMs: placedAt }],
        [sha('b'), ready()],
      ]),
    );
    expect(plan.verify).toEqual([
      { sha256: sha('a'), size: 10 },
      { sha256: sha('b'), size: 20 },
      { sha256: sha('c'), size: 30 },
    ]);
    expect(plan.fetch).toEqual([]);
  });

  it('fetches missing files and files of the wrong size, whatever their rows say', () => {
    const plan = planReconciliation(
      [{ sha256: sha('a'), size: 9, mtimeMs: 0 }],
      new Map([
        [sha('a'), 10],
        [sha('b'), 20],
      ]),
      new Map([
        [sha('a'), ready()],
        [sha('b'), ready()],
      ]),
    );
    expect(plan.fetch).toEqual([
      { sha256: sha('a'), size: 10 },
      { sha256: sha('b'), size: 20 },
    ]);
    expect(plan.verify).toEqual([]);
  });

  it('removes files no version uses, and drops rows of such files the store lacks', () => {
    const plan = planReconciliation(
      [{ sha256: sha('a'), size: 10, mtimeMs: 0 }],
      new Map(),
      new Map([
        [sha('a'), ready()],
        [sha('d'), ready()],
      ]),
    );
    expect(plan).toEqual({ remove: [sha('a')], dropRows: [sha('d')], fetch: [], verify: [] });
  });
});
