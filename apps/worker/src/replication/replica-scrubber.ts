import { createHash, randomInt } from 'node:crypto';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { Config } from '@ucupdates/config';
import type { PoolNodesRepository } from '@ucupdates/database';
import { msUntilScrubHours, ScrubPacer, scrubRate } from '@ucupdates/replication';
import type { KeyedLock } from './keyed-lock';
import type { ReplicaReconciler } from './replica-reconciler';
import type { ReplicaWriter, StoredReplica } from './replica-writer';

/** Bytes read (and hashed) at a time; the pace is kept between reads. */
const READ_BYTES = 1024 * 1024;
/** How long the scrub waits before it lists an empty store again, or after a failed pass. */
const IDLE_MS = 10_000;
/** Bytes re-hashed are added to the node's row at most this often (and at the end of a pass). */
const PROGRESS_EVERY_MS = 10_000;
/** Outside the scrub hours the clock is looked at again at least this often. */
const HOURS_RECHECK_MS = 10 * 60_000;

export type ScrubVerdict = 'good' | 'replaced' | 'gone';

export interface ScrubPassSummary {
  files: number;
  bytes: number;
  replaced: number;
}

/**
 * The node's scrub (docs/replication.md, "The scrub"): in the background, for as long as the worker
 * runs, it re-reads every file of the replica store and hashes it, at a bounded rate (the store's
 * size over a day's scrub hours unless UCU_SCRUB_RATE_MB_S says otherwise) and only in the scrub
 * hours. A file whose bytes no longer give its name is deleted at once, so the frontend streams it
 * from the object store from the next request on, and fetched again; the mismatch is a log line
 * and counts on the node's row (the admin API's node view, the frontend's metrics).
 *
 * Reconciliation hashes only files whose size or time changed; rot that keeps both is what the
 * scrub is for.
 */
export class ReplicaScrubber {
  private readonly logger = new Logger(ReplicaScrubber.name);
  private readonly stopping = new AbortController();
  private readonly buffer = Buffer.allocUnsafe(READ_BYTES);
  private running: Promise<void> | null = null;
  private unreportedBytes = 0;
  private reportedAtMs = 0;

  constructor(
    private readonly config: Pick<Config, 'UCU_NODE_ID' | 'UCU_SCRUB_RATE_MB_S' | 'UCU_SCRUB_HOURS'>,
    private readonly writer: ReplicaWriter,
    private readonly reconciler: ReplicaReconciler,
    private readonly lock: KeyedLock,
    private readonly nodes: PoolNodesRepository,
  ) {}

  /** Starts scrubbing in the background, unless UCU_SCRUB_RATE_MB_S is 0. */
  start(): void {
    if (this.config.UCU_SCRUB_RATE_MB_S === 0) {
      this.logger.log('the scrub of the replica store is off (UCU_SCRUB_RATE_MB_S=0)');
      return;
    }
    this.running = this.scrubForever();
  }

  /** Stops at the next read, leaving the pass unfinished (the next start begins a new one). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private async scrubForever(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      try {
        if ((await this.pass()) === null) await this.wait(IDLE_MS);
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        this.logger.warn(`the scrub's pass failed, trying again in 10 s: ${(error as Error).message}`);
        await this.wait(IDLE_MS).catch(() => undefined);
      }
    }
  }

  /**
   * One pass over the files the store holds as it begins, in a random order (a worker restarted
   * before a pass ends still gets to every file in time); null when the store is empty.
   */
  async pass(): Promise<ScrubPassSummary | null> {
    const files = shuffled(await this.writer.list());
    if (files.length === 0) return null;
    const summary: ScrubPassSummary = { files: files.length, bytes: files.reduce((sum, file) => sum + file.size, 0), replaced: 0 };
    const rate = scrubRate(this.config.UCU_SCRUB_RATE_MB_S, summary.bytes, this.config.UCU_SCRUB_HOURS)!;
    const pacer = new ScrubPacer(rate);
    await this.nodes.scrubPassStarted(this.config.UCU_NODE_ID);
    this.logger.log(`scrub pass over ${summary.files} file(s), ${(summary.bytes / 1e6).toFixed(1)} MB at ${(rate / 1e6).toFixed(3)} MB/s`);
    for (const file of files) {
      if ((await this.scrubFile(file, pacer)) === 'replaced') summary.replaced++;
    }
    await this.reportProgress(true);
    await this.nodes.scrubPassCompleted(this.config.UCU_NODE_ID);
    this.logger.log(`scrub pass done: ${summary.files} file(s), ${summary.replaced} replaced`);
    return summary;
  }

  /** Reads and hashes one file at the pacer's rate; replaces it when its bytes are not its name's. */
  async scrubFile(file: StoredReplica, pacer: ScrubPacer): Promise<ScrubVerdict> {
    const path = this.writer.store.pathOf(file.sha256);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone'; // replaced or removed since the listing
      throw error;
    }
    let inode: number;
    let digest: string;
    try {
      inode = (await handle.stat()).ino;
      const hash = createHash('sha256');
      for (;;) {
        await this.waitForScrubHours();
        const { bytesRead } = await handle.read(this.buffer, 0, READ_BYTES, null);
        if (bytesRead === 0) break;
        hash.update(this.buffer.subarray(0, bytesRead));
        await this.reportProgress(false, bytesRead);
        await this.wait(pacer.delayAfter(bytesRead, Date.now()));
      }
      digest = hash.digest('hex');
    } finally {
      await handle.close();
    }
    if (digest === file.sha256) return 'good';
    return this.lock.run(file.sha256, async () => {
      // The bytes read were the file's under this name only if the name still leads to them: a
      // replication job may have put a new file in its place meanwhile.
      const current = await stat(path).catch(() => null);
      if (current?.ino !== inode) return 'gone';
      this.logger.error(
        `scrub: replica ${file.sha256} of node ${this.config.UCU_NODE_ID} reads as SHA-256 ${digest} (${file.size} bytes): ` +
          'no longer served from the replica store, fetched again',
      );
      await this.reconciler.refetch({ sha256: file.sha256, size: file.size });
      await this.nodes.recordScrubMismatch(this.config.UCU_NODE_ID, file.sha256);
      return 'replaced';
    });
  }

  /** Adds the bytes re-hashed to the node's row every PROGRESS_EVERY_MS, or now when `flush`. */
  private async reportProgress(flush: boolean, bytes = 0): Promise<void> {
    this.unreportedBytes += bytes;
    const now = Date.now();
    if (this.unreportedBytes === 0 || (!flush && now - this.reportedAtMs < PROGRESS_EVERY_MS)) return;
    const reported = this.unreportedBytes;
    this.unreportedBytes = 0;
    this.reportedAtMs = now;
    await this.nodes.addScrubbedBytes(this.config.UCU_NODE_ID, reported);
  }

  private async waitForScrubHours(): Promise<void> {
    for (let ms = msUntilScrubHours(new Date(), this.config.UCU_SCRUB_HOURS); ms > 0; ms = msUntilScrubHours(new Date(), this.config.UCU_SCRUB_HOURS)) {
      await this.wait(Math.min(ms, HOURS_RECHECK_MS));
    }
  }

  /** Sleeps; rejects (AbortError) when the worker stops meanwhile. */
  private async wait(ms: number): Promise<void> {
    this.stopping.signal.throwIfAborted();
    if (ms > 0) await sleep(ms, undefined, { signal: this.stopping.signal });
  }
}

function shuffled<T>(items: T[]): T[] {
  for (let index = items.length - 1; index > 0; index--) {
    const other = randomInt(index + 1);
    [items[index], items[other]] = [items[other], items[index]];
  }
  return items;
}
