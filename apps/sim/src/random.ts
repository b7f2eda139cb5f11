/**
 * A small seeded pseudo-random generator (mulberry32): the same `--seed` gives the same phones,
 * boot times and log uploads, so two runs of the simulator are comparable and a test can know
 * the identities it will meet. Not for anything secret.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, below). */
  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** One of `items`, chosen in proportion to `weight`. */
  weighted<T>(items: readonly T[], weight: (item: T) => number): T {
    const total = items.reduce((sum, item) => sum + weight(item), 0);
    let pick = this.next() * total;
    for (const item of items) {
      pick -= weight(item);
      if (pick < 0) return item;
    }
    return items[items.length - 1];
  }
}
