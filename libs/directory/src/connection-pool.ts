/** What the pool needs to know about its connections. */
export interface PoolOptions<T> {
  /** At most this many connections, in use and idle together. */
  size: number;
  /** How long a caller waits for a free connection before giving up. */
  acquireTimeoutMs: number;
  /** At most this many callers wait; more are refused at once (the directory is overwhelmed). */
  maxWaiting: number;
  create(): Promise<T>;
  /** False for a connection that was closed while idle: it is dropped instead of reused. */
  usable(connection: T): boolean;
  destroy(connection: T): void;
}

export class PoolExhaustedError extends Error {}

/**
 * A bounded pool: at most `size` connections to the directory however many devices sign in at
 * once; the others wait, for a bounded time and in a bounded queue. A connection whose work
 * threw is destroyed (it may be half-way through a bind, or its socket may be gone), never reused.
 */
export class ConnectionPool<T> {
  private readonly idle: T[] = [];
  private readonly waiting: Array<(connection: T | null) => void> = [];
  private open = 0;
  private closed = false;

  constructor(private readonly options: PoolOptions<T>) {}

  /** Connections open now (in use or idle). */
  get size(): number {
    return this.open;
  }

  async use<R>(work: (connection: T) => Promise<R>): Promise<R> {
    const connection = await this.acquire();
    let healthy = false;
    try {
      const result = await work(connection);
      healthy = true;
      return result;
    } finally {
      this.release(connection, healthy);
    }
  }

  /** Closes the idle connections and every one given back from now on. */
  close(): void {
    this.closed = true;
    for (const connection of this.idle.splice(0)) this.drop(connection);
    for (const wake of this.waiting.splice(0)) wake(null);
  }

  private async acquire(): Promise<T> {
    if (this.closed) throw new PoolExhaustedError('the directory connection pool is closed');
    while (this.idle.length > 0) {
      const connection = this.idle.pop()!;
      if (this.options.usable(connection)) return connection;
      this.drop(connection);
    }
    if (this.open < this.options.size) return this.create();
    if (this.waiting.length >= this.options.maxWaiting) {
      throw new PoolExhaustedError(`${this.waiting.length} sign-ins are already waiting for a directory connection`);
    }
    const handed = await new Promise<T | null | 'timeout'>((resolve) => {
      const timer = setTimeout(() => {
        const index = this.waiting.indexOf(wake);
        if (index >= 0) this.waiting.splice(index, 1);
        resolve('timeout');
      }, this.options.acquireTimeoutMs);
      const wake = (connection: T | null) => {
        clearTimeout(timer);
        resolve(connection);
      };
      this.waiting.push(wake);
    });
    if (handed === 'timeout') {
      throw new PoolExhaustedError(`no directory connection was free within ${this.options.acquireTimeoutMs} ms`);
    }
    if (handed === null) {
      // A connection was dropped: this caller may open the one that freed up.
      if (this.closed) throw new PoolExhaustedError('the directory connection pool is closed');
      return this.create();
    }
    return handed;
  }

  private async create(): Promise<T> {
    this.open++;
    try {
      return await this.options.create();
    } catch (error) {
      this.open--;
      this.waiting.shift()?.(null);
      throw error;
    }
  }

  private release(connection: T, healthy: boolean): void {
    if (!healthy || this.closed || !this.options.usable(connection)) {
      this.drop(connection);
      this.waiting.shift()?.(null);
      return;
    }
    const next = this.waiting.shift();
    if (next) next(connection);
    else this.idle.push(connection);
  }

  private drop(connection: T): void {
    this.open--;
    try {
      this.options.destroy(connection);
    } catch {
      // Closing a connection that is already broken: nothing more to do.
    }
  }
}
