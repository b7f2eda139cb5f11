import { mkdir, open, readdir, readFile, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { journalRows } from '@ucupdates/database';
import { isJournalSegment, JOURNAL_SEGMENT_PREFIX, JOURNAL_SEGMENT_SUFFIX, syncDirectory } from '@ucupdates/pool';

/** The size at which a segment is sealed and appends go to a new one. */
const SEGMENT_BYTES = 4 * 1024 * 1024;

/** How long the open segment lives on once everything in it is shipped, before it is removed. */
const IDLE_SEGMENT_MS = 1_000;

/** The journal holds UCU_AUDIT_JOURNAL_MAX_MB already: the node writes elsewhere (decision 56). */
export class AuditJournalFullError extends Error {
  constructor(maxBytes: number) {
    super(`the request audit journal holds its bound of ${Math.round(maxBytes / 2 ** 20)} MB`);
  }
}

/** Rows appended together, in memory until shipped. */
interface Chunk {
  rows: readonly string[];
  /** When they were durable (performance.now()), for the ship lag. */
  at: number;
}

interface Segment {
  path: string;
  /** The open segment's file; null once sealed. */
  handle: FileHandle | null;
  bytes: number;
  openedAt: number;
  /** Appended and not yet shipped, oldest first; null when only the file has them (read whole to ship). */
  unshipped: Chunk[] | null;
}

/** The oldest rows not yet shipped: hand back to `shipped` once Postgres holds them. */
export interface Shipment {
  readonly rows: readonly string[];
  /** When each chunk of them was durable (performance.now()), with its row count. */
  readonly chunks: readonly Chunk[];
  readonly segment: object;
}

/**
 * A node's local journal of answered checks (docs/phones.md): the durable place a check's audit
 * row is written before the check is answered. Appends are fsynced (the caller group-commits: one
 * append per batch of checks), and go to the open segment until it reaches 4 MiB. Each line is one
 * row as Postgres takes it (`auditRow`), so shipping is joining lines.
 *
 * Rows are shipped to Postgres from memory, oldest first (`next`, `shipped`); a segment whose rows
 * are all shipped is removed. What is only on disk — segments an earlier run left, or rows whose
 * memory copy was dropped by `forget` while Postgres was away — is read back when its turn comes.
 * The journal holds at most `maxBytes` on disk: an append beyond throws AuditJournalFullError.
 * Appends, seals and removals are serialised here.
 *
 * The node's worker takes a segment over when the frontend's heartbeat goes silent (decision 74):
 * it renames the file to `orphan-…` and ships it itself. A segment found gone is therefore the
 * worker's: dropped here (its rows are in the file the worker read). An append checks that its
 * segment still has its name after the fsync; when it does not, the worker may have read the file
 * before these rows were in it, so they are appended again to a new segment before they count as
 * durable. A row is thus always either in a segment of this journal or in a file the worker read
 * after it was written.
 */
export class AuditJournal {
  private readonly segments: Segment[] = [];
  private current: Segment | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private sequence = 0;
  private bytes = 0;

  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
    /** A line read from disk as a row to ship, or null for a line to skip. */
    private readonly reviveLine: (line: string) => string | null,
  ) {}

  /** Takes up the segments an earlier run left (to be shipped first). */
  recover(): Promise<void> {
    return this.serially(async () => {
      await mkdir(this.dir, { recursive: true });
      const names = (await readdir(this.dir)).filter(isJournalSegment).sort();
      for (const name of names) {
        const path = join(this.dir, name);
        const size = await sizeOf(path);
        if (size === null) continue; // taken over by the worker meanwhile
        this.segments.push({ path, handle: null, bytes: size, openedAt: 0, unshipped: null });
        this.bytes += size;
      }
    });
  }

  /** The segments on disk and their size. */
  get size(): { segments: number; bytes: number } {
    return { segments: this.segments.length, bytes: this.bytes };
  }

  /** Whether rows are waiting to be shipped. */
  get pending(): boolean {
    return this.segments.some((segment) => segment.unshipped === null || segment.unshipped.length > 0);
  }

  /** Durable when it resolves. `rows` are JSON without line breaks. */
  append(rows: readonly string[]): Promise<void> {
    return this.serially(async () => {
      const text = `${rows.join('\n')}\n`;
      const length = Buffer.byteLength(text);
      for (;;) {
        if (this.bytes + length > this.maxBytes) throw new AuditJournalFullError(this.maxBytes);
        const segment = this.current ?? (await this.openSegment());
        try {
          await segment.handle!.write(text);
          await segment.handle!.datasync();
        } catch (error) {
          // A failed append may have left a torn line: later appends go to a new segment, so the
          // torn line stays the last of this one (and is skipped when it is read).
          await this.seal();
          throw error;
        } finally {
          segment.bytes += length;
          this.bytes += length;
        }
        if ((await sizeOf(segment.path)) === null) {
          // The worker took the segment over: these rows again, in a new segment of our own.
          await this.seal();
          this.drop(segment);
          continue;
        }
        segment.unshipped?.push({ rows, at: performance.now() });
        if (segment.bytes >= SEGMENT_BYTES) await this.seal();
        return;
      }
    });
  }

  /**
   * The oldest unshipped rows, at most about `max` (whole appends; a segment read from disk comes
   * whole), or null when everything is shipped. Segments fully shipped are removed on the way.
   */
  next(max: number): Promise<Shipment | null> {
    return this.serially(async () => {
      while (this.segments.length > 0) {
        const segment = this.segments[0];
        if (segment.unshipped === null) {
          const text = await readFile(segment.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
            if (error.code === 'ENOENT') return null;
            throw error;
          });
          if (text === null) {
            // Taken over by the worker (its rows are the worker's to ship).
            this.drop(segment);
            continue;
          }
          const rows = journalRows(text, this.reviveLine);
          segment.unshipped = rows.length === 0 ? [] : [{ rows, at: performance.now() }];
        }
        if (segment.unshipped.length > 0) {
          const chunks: Chunk[] = [];
          let count = 0;
          for (const chunk of segment.unshipped) {
            if (count > 0 && count + chunk.rows.length > max) break;
            chunks.push(chunk);
            count += chunk.rows.length;
          }
          return { rows: chunks.length === 1 ? chunks[0].rows : chunks.flatMap((chunk) => chunk.rows), chunks, segment };
        }
        if (segment === this.current) return null;
        await this.removeFirst();
      }
      return null;
    });
  }

  /** The shipment is in Postgres: its rows leave the journal. */
  shipped(shipment: Shipment): Promise<void> {
    return this.serially(async () => {
      const segment = shipment.segment as Segment;
      if (segment.unshipped === null || segment.unshipped[0] !== shipment.chunks[0]) return; // forgotten meanwhile
      segment.unshipped.splice(0, shipment.chunks.length);
      if (segment.unshipped.length === 0 && segment !== this.current && this.segments[0] === segment) await this.removeFirst();
    });
  }

  /**
   * Drops the memory copy of every unshipped row (Postgres is away: memory stays bounded) and
   * seals the open segment; those rows are read from disk when they are shipped.
   */
  forget(): Promise<void> {
    return this.serially(async () => {
      await this.seal();
      for (const segment of this.segments) {
        if (segment.unshipped !== null && segment.unshipped.length > 0) segment.unshipped = null;
      }
    });
  }

  /** Removes the open segment once everything in it is shipped and it has been idle a while. */
  sweep(): Promise<void> {
    return this.serially(async () => {
      const segment = this.current;
      if (segment === null || segment.unshipped?.length !== 0 || performance.now() - segment.openedAt < IDLE_SEGMENT_MS) return;
      await this.seal();
      if (this.segments.length === 1 && this.segments[0] === segment) await this.removeFirst();
    });
  }

  /** Closes the open segment and removes the segments whose rows are all shipped (at shutdown). */
  close(): Promise<void> {
    return this.serially(async () => {
      await this.seal();
      while (this.segments.length > 0 && this.segments[0].unshipped?.length === 0) await this.removeFirst();
    });
  }

  private async openSegment(): Promise<Segment> {
    await mkdir(this.dir, { recursive: true });
    const name = `${JOURNAL_SEGMENT_PREFIX}${Date.now().toString().padStart(15, '0')}-${process.pid}-${(this.sequence++).toString().padStart(6, '0')}${JOURNAL_SEGMENT_SUFFIX}`;
    const path = join(this.dir, name);
    const segment: Segment = { path, handle: await open(path, 'a'), bytes: 0, openedAt: performance.now(), unshipped: [] };
    // The new file's name must survive a crash too.
    await syncDirectory(this.dir);
    this.current = segment;
    this.segments.push(segment);
    return segment;
  }

  private async seal(): Promise<void> {
    const segment = this.current;
    if (segment === null) return;
    this.current = null;
    await segment.handle?.close().catch(() => undefined);
    segment.handle = null;
  }

  private async removeFirst(): Promise<void> {
    const [segment] = this.segments.splice(0, 1);
    this.bytes -= segment.bytes;
    await rm(segment.path, { force: true });
  }

  /** Forgets a segment the worker took over: its rows are the worker's to ship. */
  private drop(segment: Segment): void {
    const index = this.segments.indexOf(segment);
    if (index < 0) return;
    this.segments.splice(index, 1);
    this.bytes -= segment.bytes;
    segment.unshipped = [];
  }

  private serially<R>(work: () => Promise<R>): Promise<R> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** A file's size, or null when it is not there. */
async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
