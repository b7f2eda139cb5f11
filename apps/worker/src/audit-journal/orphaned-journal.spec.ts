import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestAuditRepository } from '@ucupdates/database';
import { JOURNAL_HEARTBEAT_FILE, JOURNAL_ORPHANED_AFTER_MS, journalHeartbeatAge, JournalHeartbeat } from '@ucupdates/pool';
import { OrphanedJournal } from './orphaned-journal';

describe('OrphanedJournal', () => {
  let dir: string;
  let shipped: string[][];
  let refuse: boolean;
  const requestAudit = {
    recordRows: async (rows: readonly string[]) => {
      if (refuse) throw new Error('connect ECONNREFUSED');
      shipped.push([...rows]);
    },
  } as unknown as RequestAuditRepository;
  const row = (n: number) => JSON.stringify({ request_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` });
  const beat = (agoMs: number) => writeFile(join(dir, JOURNAL_HEARTBEAT_FILE), String(Date.now() - agoMs).padStart(16, '0'));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ucu-orphaned-spec-'));
    shipped = [];
    refuse = false;
    await writeFile(join(dir, 'segment-000001700000000-10-000000.jsonl'), `${row(1)}\n${row(2)}\n`);
    await writeFile(join(dir, 'segment-000001700000001-10-000001.jsonl'), `${row(3)}\n{"request_id":"torn`);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("takes a silent frontend's segments over, ships them oldest first and removes them", async () => {
    await beat(JOURNAL_ORPHANED_AFTER_MS + 500);
    await new OrphanedJournal(dir, 'node-1', requestAudit).look();
    expect(shipped).toEqual([[row(1), row(2)], [row(3)]]); // the torn last line (never acknowledged) skipped
    expect(await readdir(dir)).toEqual([JOURNAL_HEARTBEAT_FILE]);
  });

  it('leaves the journal of a frontend that beats, and of one that never beat, alone', async () => {
    await new OrphanedJournal(dir, 'node-1', requestAudit).look();
    await beat(100);
    await new OrphanedJournal(dir, 'node-1', requestAudit).look();
    expect(shipped).toEqual([]);
    expect((await readdir(dir)).filter((name) => name.startsWith('segment-'))).toHaveLength(2);
  });

  it('keeps what it took while Postgres refuses, and ships it at a later look', async () => {
    await beat(JOURNAL_ORPHANED_AFTER_MS + 500);
    const orphaned = new OrphanedJournal(dir, 'node-1', requestAudit);
    refuse = true;
    await orphaned.look();
    expect((await readdir(dir)).filter((name) => name.startsWith('orphan-'))).toHaveLength(2);
    // A frontend started meanwhile beats again: what the worker took is still the worker's.
    await beat(0);
    refuse = false;
    await orphaned.look();
    expect(shipped).toEqual([[row(1), row(2)], [row(3)]]);
    expect(await readdir(dir)).toEqual([JOURNAL_HEARTBEAT_FILE]);
  });
});

describe('JournalHeartbeat', () => {
  it('beats from a thread of its own while the event loop is blocked, and goes silent when stopped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ucu-heartbeat-spec-'));
    try {
      expect(await journalHeartbeatAge(dir)).toBeNull();
      const heartbeat = new JournalHeartbeat(dir, (error) => {
        throw error;
      });
      await heartbeat.start();
      await new Promise((resolve) => setTimeout(resolve, 300)); // the thread's first beats
      const blockedUntil = Date.now() + 1_500;
      while (Date.now() < blockedUntil) {
        // the frontend's event loop busy for 1.5 s
      }
      expect(await journalHeartbeatAge(dir)).toBeLessThan(JOURNAL_ORPHANED_AFTER_MS);
      await heartbeat.stop();
      await new Promise((resolve) => setTimeout(resolve, JOURNAL_ORPHANED_AFTER_MS + 200));
      expect(await journalHeartbeatAge(dir)).toBeGreaterThan(JOURNAL_ORPHANED_AFTER_MS);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
