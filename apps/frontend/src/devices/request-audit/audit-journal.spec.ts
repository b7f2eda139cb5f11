import { appendFile, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isServiceUnavailable } from '../../errors/unavailable';
import { AuditJournal, AuditJournalFullError } from './audit-journal';

describe('AuditJournal', () => {
  let dir: string;
  const row = (n: number) => JSON.stringify({ request_id: String(n) });
  const revive = (line: string) => (line.startsWith('{"request_id"') && line.endsWith('}') ? line : null);
  const segmentsIn = async (path: string) => (await readdir(path)).filter((name) => name.startsWith('segment-')).sort();

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ucu-journal-spec-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('ships appended rows from memory, oldest first, and forgets them once shipped', async () => {
    const journal = new AuditJournal(join(dir, 'journal'), 2 ** 20, revive);
    await journal.recover();
    expect(await journal.next(100)).toBeNull();
    await journal.append([row(1), row(2)]);
    await journal.append([row(3)]);
    expect(journal.pending).toBe(true);
    const first = (await journal.next(2))!;
    expect(first.rows).toEqual([row(1), row(2)]); // whole appends, about `max` rows
    await journal.append([row(4)]);
    await journal.shipped(first);
    expect((await journal.next(100))!.rows).toEqual([row(3), row(4)]);
    await journal.shipped((await journal.next(100))!);
    expect(journal.pending).toBe(false);
    expect(await journal.next(100)).toBeNull();
  });

  it('ships what an earlier run left on disk first, skipping a torn last line', async () => {
    const earlier = new AuditJournal(dir, 2 ** 20, revive);
    await earlier.recover();
    await earlier.append([row(1), row(2)]);
    await earlier.close();
    const [segment] = await segmentsIn(dir);
    await appendFile(join(dir, segment), `${row(3)}\n{"request_id":"4`);

    const journal = new AuditJournal(dir, 2 ** 20, revive);
    await journal.recover();
    await journal.append([row(5)]);
    const shipment = (await journal.next(100))!;
    expect(shipment.rows).toEqual([row(1), row(2), row(3)]);
    await journal.shipped(shipment);
    expect(await segmentsIn(dir)).toHaveLength(1); // the shipped segment is removed, the open one stays
    await journal.shipped((await journal.next(100))!);
    await journal.close();
    expect(await segmentsIn(dir)).toEqual([]); // everything shipped: nothing left for the next start
  });

  it('reads rows back from disk after forgetting their memory copy', async () => {
    const journal = new AuditJournal(dir, 2 ** 20, revive);
    await journal.recover();
    await journal.append([row(1)]);
    await journal.forget();
    await journal.append([row(2)]);
    expect(await segmentsIn(dir)).toHaveLength(2);
    const fromDisk = (await journal.next(100))!;
    expect(fromDisk.rows).toEqual([row(1)]);
    await journal.shipped(fromDisk);
    const fromMemory = (await journal.next(100))!;
    expect(fromMemory.rows).toEqual([row(2)]);
    await journal.shipped(fromMemory);
    expect(journal.size.segments).toBe(1);
  });

  it('refuses an append beyond its bound, and takes rows again once shipped', async () => {
    const journal = new AuditJournal(dir, 64, revive);
    await journal.recover();
    await journal.append([row(1), row(2)]);
    await expect(journal.append([row(3), row(4), row(5)])).rejects.toBeInstanceOf(AuditJournalFullError);
    await journal.shipped((await journal.next(100))!);
    await journal.forget(); // seals the open segment: shipped, it goes
    expect(await journal.next(100)).toBeNull();
    expect(journal.size).toEqual({ segments: 0, bytes: 0 });
    await journal.append([row(3)]);
  });

  describe("a segment the node's worker took over (renamed to orphan-…, decision 74)", () => {
    const takeOver = async () => {
      for (const name of await segmentsIn(dir)) await rename(join(dir, name), join(dir, name.replace('segment-', 'orphan-')));
    };
    const orphanRows = async () => {
      const rows: string[] = [];
      for (const name of (await readdir(dir)).filter((each) => each.startsWith('orphan-'))) {
        rows.push(...(await readFile(join(dir, name), 'utf8')).split('\n').filter(Boolean));
      }
      return rows;
    };

    it('is left to the worker; the next append goes to a segment of its own', async () => {
      const journal = new AuditJournal(dir, 2 ** 20, revive);
      await journal.recover();
      await journal.append([row(1), row(2)]);
      await takeOver();
      await journal.append([row(3)]);
      expect(await orphanRows()).toEqual([row(1), row(2), row(3)]); // appended before the frontend saw it gone
      expect(await segmentsIn(dir)).toHaveLength(1);
      // Row 3 again, in the new segment: the worker may have read the orphan before it was in it.
      const shipment = (await journal.next(100))!;
      expect(shipment.rows).toEqual([row(3)]);
      await journal.shipped(shipment);
      expect(journal.pending).toBe(false);
    });

    it('is dropped when it is found gone while its rows are only on disk', async () => {
      const journal = new AuditJournal(dir, 2 ** 20, revive);
      await journal.recover();
      await journal.append([row(1)]);
      await journal.forget(); // Postgres away: the rows are on disk only
      await takeOver();
      expect(await journal.next(100)).toBeNull();
      expect(journal.size).toEqual({ segments: 0, bytes: 0 });
      expect(await orphanRows()).toEqual([row(1)]);
    });

    it('is not taken up by a frontend that starts after it was taken', async () => {
      const earlier = new AuditJournal(dir, 2 ** 20, revive);
      await earlier.recover();
      await earlier.append([row(1)]);
      await takeOver();
      const journal = new AuditJournal(dir, 2 ** 20, revive);
      await journal.recover();
      expect(await journal.next(100)).toBeNull();
    });
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
