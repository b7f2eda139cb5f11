import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isServiceUnavailable } from '../../errors/unavailable';
import { AuditJournal } from './audit-journal';

describe('AuditJournal', () => {
  let dir: string;
  const revive = (value: unknown) => value as { n: number };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ucu-journal-spec-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps appended entries in segments sealed oldest first, until removed', async () => {
    const journal = new AuditJournal<{ n: number }>(join(dir, 'journal'));
    expect(await journal.seal()).toEqual([]); // no directory yet
    await journal.append([{ n: 1 }, { n: 2 }]);
    await journal.append([{ n: 3 }]);
    const [first] = await journal.seal();
    await journal.append([{ n: 4 }]);
    const sealed = await journal.seal();
    expect(sealed).toHaveLength(2);
    expect(sealed[0]).toBe(first);
    expect(await journal.read(sealed[0], revive)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(await journal.read(sealed[1], revive)).toEqual([{ n: 4 }]);
    await journal.remove(sealed[0]);
    expect(await journal.seal()).toEqual([sealed[1]]);
  });

  it('skips the torn last line of a crashed append, and entries the caller refuses', async () => {
    const journal = new AuditJournal<{ n: number }>(dir);
    await journal.append([{ n: 1 }]);
    const [segment] = await journal.seal();
    await appendFile(segment, '{"n": 2}\n{"n"');
    expect(await journal.read(segment, revive)).toEqual([{ n: 1 }, { n: 2 }]);
    const strict = (value: unknown) => {
      if ((value as { n: number }).n === 2) throw new Error('not an entry');
      return value as { n: number };
    };
    expect(await journal.read(segment, strict)).toEqual([{ n: 1 }]);
    expect((await readdir(dir)).length).toBe(1);
  });
});

describe('isServiceUnavailable', () => {
  it('recognises services away, through the wrappers around the cause', () => {
    expect(isServiceUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isServiceUnavailable({ message: 'query failed', driverError: { code: '57P01', message: 'terminating connection' } })).toBe(true);
    expect(isServiceUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isServiceUnavailable(new Error('Command timed out'))).toBe(true);
    expect(isServiceUnavailable(new Error('outer', { cause: Object.assign(new Error('inner'), { code: 'ETIMEDOUT' }) }))).toBe(true);
  });

  it('leaves faults of the request or the code alone', () => {
    expect(isServiceUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isServiceUnavailable({ message: 'duplicate key', driverError: { code: '23505' } })).toBe(false);
    expect(isServiceUnavailable(undefined)).toBe(false);
  });
});
