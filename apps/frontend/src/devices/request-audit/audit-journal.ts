import { mkdir, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A node's local journal of answered checks whose audit rows Postgres could not take: the
 * durable place a check is recorded before it is answered while Postgres is away (docs/phones.md). Each
 * append is fsynced. Appends go to the open segment; `seal` closes it, so the segments it lists
 * are complete and can be written to Postgres and removed one by one. Lines are JSON, one check
 * each. Single-process: appends and seals are serialised here.
 */
export class AuditJournal<T> {
  private current: { handle: FileHandle; path: string } | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private sequence = 0;

  constructor(readonly dir: string) {}

  /** Durable when it resolves. */
  append(entries: readonly T[]): Promise<void> {
    return this.serially(async () => {
      if (this.current === null) {
        await mkdir(this.dir, { recursive: true });
        const path = join(this.dir, `segment-${Date.now().toString().padStart(15, '0')}-${process.pid}-${this.sequence++}.jsonl`);
        this.current = { handle: await open(path, 'a'), path };
        // The new file's name must survive a crash too.
        await syncDirectory(this.dir);
      }
      const segment = this.current;
      try {
        await segment.handle.write(entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
        await segment.handle.sync();
      } catch (error) {
        // A failed append may have left a torn line: later appends go to a new segment, so the
        // torn line stays the last of this one (and is skipped when it is read).
        this.current = null;
        await segment.handle.close().catch(() => undefined);
        throw error;
      }
    });
  }

  /** Closes the open segment; returns every complete segment, oldest first. */
  seal(): Promise<string[]> {
    return this.serially(async () => {
      if (this.current !== null) {
        await this.current.handle.close();
        this.current = null;
      }
      const names = await readdir(this.dir).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [] as string[];
        throw error;
      });
      return names
        .filter((name) => name.startsWith('segment-') && name.endsWith('.jsonl'))
        .sort()
        .map((name) => join(this.dir, name));
    });
  }

  /**
   * The entries of a sealed segment. A line cut short by a crash during its append was never
   * acknowledged (the answer waits for the fsync), so it is skipped.
   */
  async read(path: string, revive: (value: unknown) => T): Promise<T[]> {
    const entries: T[] = [];
    for (const line of (await readFile(path, 'utf8')).split('\n')) {
      if (line === '') continue;
      try {
        entries.push(revive(JSON.parse(line)));
      } catch {
        // the torn last line of a crashed append
      }
    }
    return entries;
  }

  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
  }

  private serially<R>(work: () => Promise<R>): Promise<R> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
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
