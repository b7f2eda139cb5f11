import { KeyedLock } from './keyed-lock';

describe('KeyedLock', () => {
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  it('runs work for one key one after the other, in order', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    let finishFirst: () => void = () => {};
    const first = lock.run('a', async () => {
      events.push('first:start');
      await new Promise<void>((resolve) => (finishFirst = resolve));
      events.push('first:end');
    });
    const second = lock.run('a', async () => void events.push('second'));
    await tick();
    expect(events).toEqual(['first:start']);
    finishFirst();
    await Promise.all([first, second]);
    expect(events).toEqual(['first:start', 'first:end', 'second']);
    expect(lock.size).toBe(0);
  });

  it('lets different keys run at once, and frees a key after a failure', async () => {
    const lock = new KeyedLock();
    let finishA: () => void = () => {};
    const a = lock.run('a', () => new Promise<void>((resolve) => (finishA = resolve)));
    await expect(lock.run('b', async () => 'b')).resolves.toBe('b');
    finishA();
    await a;
    await expect(lock.run('a', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(lock.run('a', async () => 'again')).resolves.toBe('again');
    expect(lock.size).toBe(0);
  });
});
