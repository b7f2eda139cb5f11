import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { AUDIT_SHIPMENT_MAX_ROWS, journalRows, type RequestAuditRepository } from '@ucupdates/database';
import {
  isJournalOrphan,
  isJournalSegment,
  JOURNAL_ORPHAN_PREFIX,
  JOURNAL_ORPHANED_AFTER_MS,
  JOURNAL_SEGMENT_PREFIX,
  journalHeartbeatAge,
  syncDirectory,
} from '@ucupdates/pool';

/** How often the worker looks at the frontend's heartbeat. */
const LOOK_INTERVAL_MS = 250;

/**
 * The worker's watch over its node's request audit journal (decision 74): when the frontend's
 * heartbeat in the journal's folder has been silent for over JOURNAL_ORPHANED_AFTER_MS (a
 * frontend killed, or one that stopped while Postgres was away), the worker takes the frontend's
 * segments over — renames each `segment-…` to `orphan-…`, so a frontend starting meanwhile leaves
 * it alone — and ships them to Postgres with the frontend's own statement, then removes them.
 * A segment taken from a frontend that was only frozen is safe too: the frontend appends its rows
 * again when it finds its segment gone (AuditJournal). Request ids make a row shipped twice
 * harmless. While Postgres is away the orphans stay and are tried again at the next look.
 */
export class OrphanedJournal {
  private readonly logger = new Logger(OrphanedJournal.name);
  private timer: NodeJS.Timeout | null = null;
  private looking: Promise<void> | null = null;
  private postgresAway = false;

  constructor(
    private readonly dir: string,
    private readonly nodeId: string,
    private readonly requestAudit: RequestAuditRepository,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.looking === null) this.looking = this.look().finally(() => (this.looking = null));
    }, LOOK_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.looking;
  }

  /** Takes the journal over if the frontend is silent, and ships what it took; never rejects. */
  async look(): Promise<void> {
    try {
      let names = await readdir(this.dir).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      });
      const segments = names.filter(isJournalSegment);
      if (segments.length > 0) {
        const silentMs = await journalHeartbeatAge(this.dir);
        // No heartbeat at all: no frontend of this release ran here; leave its journal to it.
        if (silentMs !== null && silentMs > JOURNAL_ORPHANED_AFTER_MS) {
          await this.takeOver(segments, silentMs);
          names = await readdir(this.dir);
        }
      }
      for (const name of names.filter(isJournalOrphan).sort()) {
        // oldest first: the names begin with the segment's time, zero-padded
        if (!(await this.ship(name))) return;
      }
    } catch (error) {
      this.logger.error(`could not look at the request audit journal in ${this.dir}: ${(error as Error).message}`);
    }
  }

  private async takeOver(segments: string[], silentMs: number): Promise<void> {
    let taken = 0;
    for (const name of segments) {
      try {
        await rename(join(this.dir, name), join(this.dir, JOURNAL_ORPHAN_PREFIX + name.slice(JOURNAL_SEGMENT_PREFIX.length)));
        taken++;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // shipped and removed by the frontend meanwhile
      }
    }
    if (taken === 0) return;
    await syncDirectory(this.dir);
    this.logger.warn(
      `the frontend of ${this.nodeId} has not beaten for ${(silentMs / 1000).toFixed(1)} s: ` +
        `the worker ships the ${taken} segment(s) of its request audit journal`,
    );
  }

  /** Ships one orphan and removes it; false when Postgres refused (the orphan stays). */
  private async ship(name: string): Promise<boolean> {
    const path = join(this.dir, name);
    const rows = journalRows(await readFile(path, 'utf8'));
    try {
      for (let start = 0; start < rows.length; start += AUDIT_SHIPMENT_MAX_ROWS) {
        await this.requestAudit.recordRows(rows.slice(start, start + AUDIT_SHIPMENT_MAX_ROWS));
      }
    } catch (error) {
      if (!this.postgresAway) {
        this.logger.warn(`Postgres cannot take the request audit rows of ${name} (${(error as Error).message}): tried again every ${LOOK_INTERVAL_MS} ms`);
      }
      this.postgresAway = true;
      return false;
    }
    if (this.postgresAway) this.logger.log('Postgres takes the taken-over request audit rows again');
    this.postgresAway = false;
    await rm(path, { force: true });
    this.logger.log(`shipped ${rows.length} request audit row(s) of ${this.nodeId}'s frontend from ${name}`);
    return true;
  }
}
