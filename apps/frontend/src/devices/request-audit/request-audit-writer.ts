import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import {
  type AnsweredCheck,
  type AuditOperation,
  AUDIT_SHIPMENT_MAX_ROWS,
  auditRow,
  type DdiAuditDetail,
  journalLineRow,
  RequestAuditRepository,
  type ResponseAuditModule,
} from '@ucupdates/database';
import { Metrics } from '@ucupdates/observability';
import { JournalHeartbeat } from '@ucupdates/pool';
import type { DeviceRequest } from '../device-request';
import { AuditJournal } from './audit-journal';
import { AuditLogFiles } from './audit-log-files';
import { InventoryChanges } from './inventory-changes';
import type { AuditLogEntry } from './audit-log-format';

/** How a device's request was answered: what its audit row records besides the request. */
export interface DeviceAnswer {
  at: Date;
  /** Lync's audit "response modules": per answered update, its image file, catalog, version and time. */
  responseModules: ResponseAuditModule[];
  status: number;
  isTestDevice: boolean;
  /** Which request it was: a phone's update check unless the adapter says otherwise. */
  operation?: AuditOperation;
  /** A DDI request's action. */
  ddi?: DdiAuditDetail;
}

interface Waiting {
  check: AnsweredCheck;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** How often shipping is tried again while Postgres is away, and the idle segment swept. */
const RETRY_INTERVAL_MS = 1_000;

/**
 * A shipment starts at most this long after the one before it started (decision 79): the rows of
 * 100 ms go to Postgres in one statement instead of a few rows per group commit, whose fixed cost
 * (about half a millisecond of Postgres CPU per statement) dominated a storm's audit.
 */
const SHIP_INTERVAL_MS = 100;

/**
 * Writes the request audit and the inventory, for every device protocol: durable first, shared
 * later (docs/phones.md, decision 56). `record` resolves once the check's row is fsynced in the
 * node's journal (group commit: while one append is being synced the next batch collects), and
 * the caller answers the device only then, so no answered check lacks its row even when the node
 * is killed right after answering. The rows are shipped to Postgres in large batches, a shipment
 * starting at most every SHIP_INTERVAL_MS (one statement each: audit rows and inventory upserts,
 * atomic by itself); a node started again ships what its journal still holds first, and when the
 * frontend dies the node's worker ships the journal a second after its heartbeat went silent
 * (decision 74). Request ids make a row shipped twice harmless.
 *
 * While Postgres is away the rows stay in the journal (on disk only, so memory stays bounded) and
 * shipping is tried every second. When the journal cannot take a batch (full, or its disk failing)
 * the batch is written to Postgres directly before it is answered; only when both fail is a check
 * refused (503).
 *
 * A shared instance of the frontend's core: started and stopped by it, no Nest hooks of its own.
 */
@Injectable()
export class RequestAuditWriter {
  private readonly logger = new Logger(RequestAuditWriter.name);
  private readonly journal: AuditJournal;
  /** Tells the node's worker this frontend lives; when it goes silent, the worker ships the journal (decision 74). */
  private readonly heartbeat: JournalHeartbeat;
  private readonly inventory = new InventoryChanges();
  /** The node's own daily audit files, when UCU_AUDIT_LOG_DIR names a folder. */
  private readonly files: AuditLogFiles | null;
  private filesFailing = false;
  private journalFailing = false;
  private postgresAway = false;
  private waiting: Waiting[] = [];
  private committing: Promise<void> | null = null;
  private shipping: Promise<boolean> | null = null;
  /** When the last shipment started (performance.now()), and the timer of the next one. */
  private lastShipmentAt = -Infinity;
  private shipTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly nodeId: string;

  constructor(
    @Inject(CONFIG) config: Config,
    @Inject(RequestAuditRepository) private readonly requestAudit: RequestAuditRepository,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {
    this.journal = new AuditJournal(config.UCU_AUDIT_JOURNAL_DIR, config.UCU_AUDIT_JOURNAL_MAX_MB * 2 ** 20, journalLineRow);
    this.heartbeat = new JournalHeartbeat(config.UCU_AUDIT_JOURNAL_DIR, (error) =>
      this.logger.error(`the request audit journal's heartbeat failed: ${error.message}`),
    );
    this.nodeId = config.UCU_NODE_ID;
    this.files = config.UCU_AUDIT_LOG_DIR ? new AuditLogFiles(config.UCU_AUDIT_LOG_DIR, config.UCU_NODE_ID) : null;
  }

  /**
   * Beats in the journal's folder (first: the worker leaves a journal alone while it beats), takes
   * up what an earlier run left in the journal and the worker did not take over, and ships it,
   * then keeps shipping.
   */
  async start(): Promise<void> {
    this.files?.start();
    await this.heartbeat.start();
    await this.journal.recover();
    this.updateJournalMetrics();
    this.shipSoon();
    this.timer = setInterval(() => this.retry(), RETRY_INTERVAL_MS);
    this.timer.unref();
  }

  /** Journals every recorded check and ships what it can of the journal. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.drain();
    this.stopped = true;
    if (this.shipTimer) clearTimeout(this.shipTimer);
    this.shipTimer = null;
    await this.ship(true).catch(() => undefined);
    await this.journal.close();
    // Silent from now on: what the journal still holds (Postgres away) the worker ships.
    await this.heartbeat.stop();
    await this.files?.stop().catch((error: Error) => this.logger.error(`could not close the request audit files: ${error.message}`));
  }

  /**
   * Records the device's request and its answer; resolves when the audit row is durable (answer
   * the device only then), rejects when it could not be written.
   */
  record(device: DeviceRequest, answer: DeviceAnswer): Promise<void> {
    const check = this.answeredCheck(device, answer);
    return new Promise((resolve, reject) => {
      this.waiting.push({ check, resolve, reject });
      this.commitNext();
    });
  }

  /**
   * The audit row `record` would journal for this request, made and thrown away: part of the
   * update check's rehearsal before the node takes phones (UpdateCheckService.rehearse).
   */
  rehearse(device: DeviceRequest, answer: DeviceAnswer): void {
    auditRow(this.answeredCheck(device, answer), true);
  }

  private answeredCheck(device: DeviceRequest, answer: DeviceAnswer): AnsweredCheck {
    const { kind } = device;
    return {
      requestId: device.requestId,
      at: answer.at,
      nodeId: this.nodeId,
      address: device.address,
      request: {
        deviceType: kind.deviceType,
        macAddress: device.macAddress,
        serialNumber: device.serialNumber,
        controllerId: device.controllerId,
        vendor: kind.brand,
        model: kind.model,
        revision: kind.revision,
        locale: kind.locale,
        modules: device.installed,
      },
      responseModules: answer.responseModules,
      userId: device.userId,
      external: device.listener === 'external',
      status: answer.status,
      isTestDevice: answer.isTestDevice,
      operation: answer.operation ?? 'UpdateCheck',
      ddi: answer.ddi ?? null,
    };
  }

  /** Waits for every recorded check to be journaled (or written, or refused). */
  async drain(): Promise<void> {
    while (this.committing) {
      await this.committing;
    }
  }

  /**
   * Resolves once every check recorded so far is in Postgres; rejects when Postgres refuses.
   * For tests and shutdown: a check is answered long before.
   */
  async flush(): Promise<void> {
    await this.drain();
    while (!(await this.ship(true))) {
      // rows journaled meanwhile: ship those too
    }
  }

  private commitNext(): void {
    if (this.committing || this.waiting.length === 0) return;
    const batch = this.waiting;
    this.waiting = [];
    this.committing = this.commit(batch).finally(() => {
      this.committing = null;
      this.commitNext();
    });
  }

  private async commit(batch: Waiting[]): Promise<void> {
    const checks = batch.map((waiting) => waiting.check);
    const rows = checks.map((check) => auditRow(check, this.inventory.changed(check)));
    const started = performance.now();
    try {
      await this.journal.append(rows);
      this.metrics.auditJournalSyncSeconds.observe((performance.now() - started) / 1e3);
      if (this.journalFailing) {
        this.journalFailing = false;
        this.logger.log(`the request audit journal in ${this.journal.dir} takes rows again`);
      }
      this.shipSoon();
    } catch (journalError) {
      try {
        await this.requestAudit.recordRows(rows);
      } catch (databaseError) {
        this.logger.error(
          `could not write ${batch.length} request audit rows to the journal (${(journalError as Error).message}) ` +
            `nor to Postgres (${(databaseError as Error).message})`,
        );
        this.inventory.clear();
        for (const waiting of batch) waiting.reject(databaseError);
        return;
      }
      this.metrics.auditBypassedRows.inc(batch.length);
      if (!this.journalFailing) {
        this.journalFailing = true;
        this.logger.error(`the request audit journal cannot take rows (${(journalError as Error).message}): writing them to Postgres before answering`);
      }
    }
    await this.writeFiles(checks);
    for (const waiting of batch) waiting.resolve();
  }

  /**
   * Ships once SHIP_INTERVAL_MS has passed since the last shipment started (right away when it
   * has), unless shipping is under way or due already (either takes these rows too), Postgres
   * is away (the retry timer ships then) or the writer stopped (stop ships what is left).
   */
  private shipSoon(): void {
    if (this.shipping !== null || this.shipTimer !== null || this.postgresAway || this.stopped) return;
    const wait = this.lastShipmentAt + SHIP_INTERVAL_MS - performance.now();
    if (wait <= 0) {
      void this.ship().catch(() => undefined);
      return;
    }
    this.shipTimer = setTimeout(() => {
      this.shipTimer = null;
      this.shipSoon();
    }, wait);
  }

  /** Every second: ship again when Postgres was away; remove the open segment once idle and shipped. */
  private retry(): void {
    if (this.postgresAway || this.journal.pending) {
      this.postgresAway = false;
      this.shipSoon();
    }
    void this.journal.sweep().then(() => this.updateJournalMetrics(), () => undefined);
  }

  /**
   * Ships the journal to Postgres, oldest rows first, until nothing is left: true when it emptied
   * the journal, false when another shipping run was under way (it was awaited) or when the next
   * shipment was not yet due (SHIP_INTERVAL_MS; shipSoon takes it up) and not wanted `immediately`.
   * A backlog, whose statements take longer than the interval, is thus shipped back to back. While
   * Postgres refuses, the journal forgets its memory copies and this rejects; the timer tries again.
   */
  private async ship(immediately = false): Promise<boolean> {
    if (this.shipping) {
      await this.shipping;
      return false;
    }
    this.shipping = (async () => {
      try {
        for (;;) {
          if (!immediately && performance.now() - this.lastShipmentAt < SHIP_INTERVAL_MS) return false;
          const shipment = await this.journal.next(AUDIT_SHIPMENT_MAX_ROWS);
          if (shipment === null) return true;
          const started = performance.now();
          this.lastShipmentAt = started;
          await this.requestAudit.recordRows(shipment.rows);
          const now = performance.now();
          await this.journal.shipped(shipment);
          this.metrics.auditBatchSize.observe(shipment.rows.length);
          this.metrics.auditWriteSeconds.observe((now - started) / 1e3);
          for (const chunk of shipment.chunks) {
            const lag = (now - chunk.at) / 1e3;
            for (let n = 0; n < chunk.rows.length; n++) this.metrics.auditShipLagSeconds.observe(lag);
          }
          if (this.postgresAway) {
            this.postgresAway = false;
            this.logger.log('Postgres takes request audit rows again');
          }
        }
      } catch (error) {
        if (!this.postgresAway) {
          this.logger.warn(`Postgres cannot take request audit rows (${(error as Error).message}): they wait in the journal`);
        }
        this.postgresAway = true;
        await this.journal.forget();
        throw error;
      } finally {
        this.updateJournalMetrics();
      }
    })().finally(() => {
      this.shipping = null;
      // Rows journaled during the last statement, or not yet due: ship them too.
      if (this.journal.pending) this.shipSoon();
    });
    return this.shipping;
  }

  private updateJournalMetrics(): void {
    const { segments, bytes } = this.journal.size;
    this.metrics.auditJournalSegments.set(segments);
    this.metrics.auditJournalBytes.set(bytes);
  }

  /**
   * Appends the recorded checks to the node's own audit file before they are answered. Postgres
   * holds the audit: a file that cannot be written is logged (once until it works again), and the
   * checks are answered all the same.
   */
  private async writeFiles(checks: readonly AnsweredCheck[]): Promise<void> {
    if (this.files === null) return;
    try {
      await this.files.append(checks.map(auditLogEntry));
      if (this.filesFailing) {
        this.filesFailing = false;
        this.logger.log(`the request audit files in ${this.files.dir} are written again`);
      }
    } catch (error) {
      if (!this.filesFailing) {
        this.filesFailing = true;
        this.logger.error(`could not write the request audit files in ${this.files.dir}: ${(error as Error).message}`);
      }
    }
  }
}

/** A check as a row of the node's own audit file: the same row the export gives for it. */
function auditLogEntry(check: AnsweredCheck): AuditLogEntry {
  const { request } = check;
  return {
    at: check.at.toISOString(),
    address: check.address,
    deviceType: request.deviceType,
    macAddress: request.macAddress,
    serialNumber: request.serialNumber,
    vendor: request.vendor,
    model: request.model,
    revision: request.revision,
    locale: request.locale,
    requestModules: request.modules.map((module) => ({ filename: module.filename, version: module.version, timestamp: module.timestamp })),
    responseModules: check.responseModules,
    userId: check.userId,
    external: check.external,
    status: check.status,
    nodeId: check.nodeId,
  };
}
