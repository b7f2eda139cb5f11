import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory } from '@ucupdates/pool';
import { AUDIT_LOG_HEADER, type AuditLogEntry, auditLogFileName, auditLogRow } from './audit-log-format';

/** How often appended rows are made durable (fdatasync) at the latest. */
export const AUDIT_LOG_SYNC_INTERVAL_MS = 1_000;

/** Bytes read at a time while looking for a file's last complete row. */
const SCAN_CHUNK = 1024 * 1024;
const QUOTE = 0x22;
const LINE_FEED = 0x0a;

interface DayFile {
  day: string;
  handle: FileHandle;
  /** Bytes of complete rows: where the file is cut back to when an append fails. */
  size: number;
  dirty: boolean;
}

/**
 * A node's own daily request audit files in `UCU_AUDIT_LOG_DIR`, as Lync's front ends wrote them
 * into `Logs\Server\Audit\imageUpdates`: `RequestHandlerAuditLog_<node>_<yyyymmdd>.log`, the day
 * being the check's (UTC), so a new file begins at midnight UTC. Rows are appended, each batch in
 * one write, and made durable at least once a second.
 *
 * Never a partial row: a file opened by this process is first cut back to its last complete row
 * (a crash of the machine can leave a torn end: the page cache's last writes half on disk), and an
 * append that fails is cut back the same way before anything else is written. A process killed
 * mid-write leaves whole rows, since a write to a file is completed by the kernel or not begun.
 * Single-process: appends are serialised here.
 */
export class AuditLogFiles {
  private readonly files = new Map<string, DayFile>();
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly dir: string,
    private readonly nodeId: string,
  ) {}

  /** Starts the once-a-second sync. */
  start(): void {
    this.timer = setInterval(() => void this.sync().catch(() => undefined), AUDIT_LOG_SYNC_INTERVAL_MS);
    this.timer.unref();
  }

  /** Syncs and closes every file. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.serially(async () => {
      for (const file of this.files.values()) await this.close(file);
    });
  }

  /** Appends the checks' rows, each to its day's file, in the order given; resolves once written (not yet synced). */
  append(entries: readonly AuditLogEntry[]): Promise<void> {
    return this.serially(async () => {
      const byDay = new Map<string, string>();
      for (const entry of entries) {
        const day = entry.at.slice(0, 10);
        byDay.set(day, (byDay.get(day) ?? '') + auditLogRow(entry));
      }
      for (const [day, text] of byDay) {
        await this.write(await this.fileOf(day), Buffer.from(text, 'utf8'));
      }
      // Only the newest day's file stays open: a check of yesterday written just after midnight
      // reopens yesterday's file for a moment.
      const newest = [...this.files.keys()].sort().at(-1);
      for (const file of [...this.files.values()]) {
        if (file.day !== newest) await this.close(file);
      }
    });
  }

  /** Makes every row appended so far durable. */
  sync(): Promise<void> {
    return this.serially(async () => {
      for (const file of this.files.values()) {
        if (!file.dirty) continue;
        await file.handle.datasync();
        file.dirty = false;
      }
    });
  }

  private async fileOf(day: string): Promise<DayFile> {
    const open_ = this.files.get(day);
    if (open_) return open_;
    await mkdir(this.dir, { recursive: true });
    const handle = await open(join(this.dir, auditLogFileName(this.nodeId, day)), 'a+');
    try {
      const size = await completeLength(handle);
      const file: DayFile = { day, handle, size, dirty: false };
      if ((await handle.stat()).size !== size) {
        await handle.truncate(size);
        file.dirty = true;
      }
      if (size === 0) {
        await this.write(file, Buffer.from(AUDIT_LOG_HEADER, 'utf8'));
        await handle.datasync();
        await syncDirectory(this.dir);
        file.dirty = false;
      }
      this.files.set(day, file);
      return file;
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  /** Appends the bytes whole, or cuts the file back to where it was and throws. */
  private async write(file: DayFile, bytes: Buffer): Promise<void> {
    try {
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await file.handle.write(bytes, written, bytes.length - written);
        written += bytesWritten;
      }
      file.size += bytes.length;
      file.dirty = true;
    } catch (error) {
      this.files.delete(file.day);
      await file.handle.truncate(file.size).catch(() => undefined);
      await file.handle.close().catch(() => undefined);
      throw error;
    }
  }

  private async close(file: DayFile): Promise<void> {
    this.files.delete(file.day);
    try {
      if (file.dirty) await file.handle.datasync();
    } finally {
      await file.handle.close();
    }
  }

  private serially<R>(work: () => Promise<R>): Promise<R> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/**
 * The length of a file's complete rows: up to and including the last line end outside quotes (a
 * quoted cell may hold line breaks, so the last line end alone is not a row's end). Reads the file
 * once, forwards, when this process opens it: a day's file of a busy node is some hundreds of MiB.
 */
async function completeLength(handle: FileHandle): Promise<number> {
  const buffer = Buffer.alloc(SCAN_CHUNK);
  let complete = 0;
  let quoted = false;
  let position = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, SCAN_CHUNK, position);
    if (bytesRead === 0) return complete;
    for (let index = 0; index < bytesRead; index += 1) {
      const byte = buffer[index];
      if (byte === QUOTE) quoted = !quoted;
      else if (byte === LINE_FEED && !quoted) complete = position + index + 1;
    }
    position += bytesRead;
  }
}
