import { ConnectionPool, PoolExhaustedError } from './connection-pool';

interface FakeConnection {
  id: number;
  open: boolean;
}

function poolOf(size: number, overrides: { maxWaiting?: number; acquireTimeoutMs?: number; failCreate?: () => boolean } = {}) {
  let made = 0;
  const destroyed: number[] = [];
  const pool = new ConnectionPool<FakeConnection>({
    size,
    acquireTimeoutMs: overrides.acquireTimeoutMs ?? 1_000,
    maxWaiting: overrides.maxWaiting ?? 100,
    create: async () => {
      if (overrides.failCreate?.()) throw new Error('connection refused');
      return { id: ++made, open: true };
    },
    usable: (connection) => connection.open,
    destroy: (connection) => void destroyed.push(connection.id),
  });
  return { pool, destroyed, made: () => made };
}

function deferred() {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { done, release };
}

describe('ConnectionPool', () => {
  it('never opens more than its size, and hands a freed connection to the next caller', async () => {
    const { pool, made } = poolOf(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    let busy = 0;
    let mostBusy = 0;
    const users = gates.map((gate) =>
      pool.use(async (connection) => {
        busy++;
        mostBusy = Math.max(mostBusy, busy);
        await gate.done;
        busy--;
        return connection.id;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(pool.size).toBe(2);
    gates.forEach((gate) => gate.release());
    const ids = await Promise.all(users);
    expect(mostBusy).toBe(2);
    expect(made()).toBe(2);
    expect(new Set(ids)).toEqual(new Set([1, 2]));
  });

  it('destroys a connection whose work threw, and opens a new one for the next caller', async () => {
    const { pool, destroyed, made } = poolOf(1);
    await expect(pool.use(async () => Promise.reject(new Error('mid-bind')))).rejects.toThrow('mid-bind');
    expect(destroyed).toEqual([1]);
    expect(await pool.use(async (connection) => connection.id)).toBe(2);
    expect(made()).toBe(2);
    expect(pool.size).toBe(1);
  });

  it('drops an idle connection that was closed meanwhile', async () => {
    const { pool, destroyed } = poolOf(1);
    const first = await pool.use(async (connection) => connection);
    first.open = false;
    expect(await pool.use(async (connection) => connection.id)).toBe(2);
    expect(destroyed).toEqual([1]);
  });

  it('lets a waiter open the connection a failed one freed', async () => {
    const { pool } = poolOf(1);
    const gate = deferred();
    const failing = pool.use(async () => {
      await gate.done;
      throw new Error('socket closed');
    });
    const waiting = pool.use(async (connection) => connection.id);
    gate.release();
    await expect(failing).rejects.toThrow('socket closed');
    expect(await waiting).toBe(2);
  });

  it('gives up waiting after its timeout, and refuses beyond its queue', async () => {
    const { pool } = poolOf(1, { acquireTimeoutMs: 50, maxWaiting: 1 });
    const gate = deferred();
    const holder = pool.use(() => gate.done);
    const waiter = pool.use(async () => 'served');
    await expect(pool.use(async () => 'never')).rejects.toThrow(PoolExhaustedError);
    await expect(waiter).rejects.toThrow(/within 50 ms/);
    gate.release();
    await holder;
    expect(await pool.use(async () => 'again')).toBe('again');
  });

  it('counts a connection that could not be opened as none', async () => {
    let fail = true;
    const { pool } = poolOf(1, { failCreate: () => fail });
    await expect(pool.use(async () => 'x')).rejects.toThrow('connection refused');
    expect(pool.size).toBe(0);
    fail = false;
    expect(await pool.use(async () => 'back')).toBe('back');
  });
});
