import { mkdir, open, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * The file in the request audit journal's folder (UCU_AUDIT_JOURNAL_DIR) that a running frontend
 * keeps current: the time of its last beat, in milliseconds since 1970, as text (decision 74).
 */
export const JOURNAL_HEARTBEAT_FILE = 'frontend.heartbeat';

/** How often the frontend beats. */
export const JOURNAL_HEARTBEAT_INTERVAL_MS = 200;

/** Silence after which the node's worker takes the frontend's journal over and ships it. */
export const JOURNAL_ORPHANED_AFTER_MS = 1_000;

/** A journal segment the frontend writes: `segment-<ms>-<pid>-<n>.jsonl`. */
export const JOURNAL_SEGMENT_PREFIX = 'segment-';

/** A segment the worker took over (renamed from `segment-…`): the worker ships and removes it. */
export const JOURNAL_ORPHAN_PREFIX = 'orphan-';

export const JOURNAL_SEGMENT_SUFFIX = '.jsonl';

/** Whether a file of the journal's folder is a segment of the frontend's own. */
export const isJournalSegment = (name: string): boolean => name.startsWith(JOURNAL_SEGMENT_PREFIX) && name.endsWith(JOURNAL_SEGMENT_SUFFIX);

/** Whether a file of the journal's folder is a segment the worker took over. */
export const isJournalOrphan = (name: string): boolean => name.startsWith(JOURNAL_ORPHAN_PREFIX) && name.endsWith(JOURNAL_SEGMENT_SUFFIX);

// The beat runs on a thread of its own, so it says "the process lives" even while the frontend's
// event loop is busy for seconds (a storm's first seconds): a busy frontend is not a dead one.
// Fixed-width text written at offset 0 of a file opened once: no truncation, so a reader never
// finds it empty.
const BEAT_THREAD = `
const { workerData } = require('node:worker_threads');
const { openSync, writeSync } = require('node:fs');
const fd = openSync(workerData.path, 'r+');
const beat = () => writeSync(fd, String(Date.now()).padStart(16, '0'), 0);
beat();
setInterval(beat, workerData.intervalMs);
`;

/**
 * A frontend's heartbeat in its journal's folder, for the node's worker (which shares the folder,
 * not the process table: containers of one pod or compose node) to tell a frontend that is gone
 * from one that is busy. Starts with a beat written before `start` resolves.
 */
export class JournalHeartbeat {
  private thread: Worker | null = null;
  private stopped = false;

  constructor(
    private readonly dir: string,
    private readonly onError: (error: Error) => void,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await mkdir(this.dir, { recursive: true });
    await writeFile(join(this.dir, JOURNAL_HEARTBEAT_FILE), String(Date.now()).padStart(16, '0'));
    this.spawn();
  }

  /** Stops beating; the file stays, and goes stale (the worker then ships what the journal kept). */
  async stop(): Promise<void> {
    this.stopped = true;
    const thread = this.thread;
    this.thread = null;
    await thread?.terminate();
  }

  private spawn(): void {
    const thread = new Worker(BEAT_THREAD, { eval: true, workerData: { path: join(this.dir, JOURNAL_HEARTBEAT_FILE), intervalMs: JOURNAL_HEARTBEAT_INTERVAL_MS } });
    thread.unref();
    thread.on('error', (error) => this.onError(error));
    // A thread that died (its file removed, say) is started again: a silent heartbeat would make
    // the worker take over the journal of a live frontend, which is safe but ships twice.
    thread.on('exit', () => {
      if (this.thread !== thread || this.stopped) return;
      this.thread = null;
      setTimeout(() => {
        if (!this.stopped && this.thread === null) void this.start().catch((error: Error) => this.onError(error));
      }, JOURNAL_HEARTBEAT_INTERVAL_MS).unref();
    });
    this.thread = thread;
  }
}

/**
 * Milliseconds since the frontend's last beat in `dir`, or null when it never beat there (no
 * file: no frontend of this release has run on this journal).
 */
export async function journalHeartbeatAge(dir: string): Promise<number | null> {
  const path = join(dir, JOURNAL_HEARTBEAT_FILE);
  let at: number;
  try {
    at = Number((await readFile(path, 'utf8')).trim());
    if (!Number.isFinite(at) || at <= 0) at = (await stat(path)).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return Date.now() - at;
}

/** Makes a new file's name in `dir` survive a crash. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
