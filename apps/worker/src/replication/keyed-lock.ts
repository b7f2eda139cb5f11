/**
 * Runs work for one key at a time inside this process. A node's replication jobs and its
 * reconciliation run in its one worker process; holding the file's key while one of them looks at
 * the file and changes its `replicas` row keeps them from undoing each other.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release: () => void = () => {};
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) {
        this.tails.delete(key);
      }
    }
  }

  /** How many keys are held or awaited (for tests). */
  get size(): number {
    return this.tails.size;
  }
}
