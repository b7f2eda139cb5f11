import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { type AnsweredCheck, RequestAuditRepository, type ResponseAuditModule } from '@ucupdates/database';
import { Metrics } from '@ucupdates/observability';
import type { DeviceRequest } from '../device-request';
import { AuditJournal } from './audit-journal';
import { AuditLogFiles } from './audit-log-files';
import type { AuditLogEntry } from './audit-log-format';

/** How a device's request was answered: what its audit row records besides the request. */
export interface DeviceAnswer {
  at: Date;
  /** Lync's audit "response modules": per answered update, its image file, catalog, version and time. */
  responseModules: ResponseAuditModule[];
  status: number;
  isTestDevice: boolean;
}

interface Waiting {
  check: AnsweredCheck;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** The most rows one statement writes; more wait for the next. */
const MAX_BATCH = 500;

/** How often the journal is written to Postgres while it holds anything. */
const REPLAY_INTERVAL_MS = 1_000;

/**
 * Writes the request audit and the inventory, for every device protocol, with group commit:
 * `record` resolves once the check's audit row is durable, and the caller answers the device only
 * then, so no answered check lacks its row even when the node is killed right after answering. While one batch is being written the
 * next collects, so a busy node writes many checks per statement and an idle one adds no delay.
 * Each batch is one statement (audit insert and inventory upsert together), atomic by itself.
 *
 * While Postgres cannot take a batch, the batch goes to the node's local journal (fsynced) and the
 * checks are answered all the same; every second the journal is written to Postgres and emptied
 * (request ids make a replay idempotent). Only when the journal fails too is a check refused (503).
 *
 * A shared instance of the frontend's core: started and stopped by it, no Nest hooks of its own.
 */
@Injectable()
export class RequestAuditWriter {
  private readonly logger = new Logger(RequestAuditWriter.name);
  private readonly journal: AuditJournal<AnsweredCheck>;
  /** The node's own daily audit files, when UCU_AUDIT_LOG_DIR names a folder. */
  private readonly files: AuditLogFiles | null;
  private filesFailing = false;
  private waiting: Waiting[] = [];
  private writing: Promise<void> | null = null;
  private replaying: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private journaling = false;
  private readonly nodeId: string;

  constructor(
    @Inject(CONFIG) config: Config,
    @Inject(RequestAuditRepository) private readonly requestAudit: RequestAuditRepository,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {
    this.journal = new AuditJournal(config.UCU_AUDIT_JOURNAL_DIR);
    this.nodeId = config.UCU_NODE_ID;
    this.files = config.UCU_AUDIT_LOG_DIR ? new AuditLogFiles(config.UCU_AUDIT_LOG_DIR, config.UCU_NODE_ID) : null;
  }

  /** Writes what an earlier run left in the journal, then keeps writing it while it fills. */
  start(): void {
    this.files?.start();
    void this.replay();
    this.timer = setInterval(() => void this.replay(), REPLAY_INTERVAL_MS);
    this.timer.unref();
  }

  /** Writes or journals every recorded check, and tries once more to empty the journal. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.drain();
    await this.replay();
    await this.files?.stop().catch((error: Error) => this.logger.error(`could not close the request audit files: ${error.message}`));
  }

  /**
   * Records the device's request and its answer; resolves when the audit row is durable (answer
   * the device only then), rejects when it could not be written.
   */
  record(device: DeviceRequest, answer: DeviceAnswer): Promise<void> {
    const { kind } = device;
    const check: AnsweredCheck = {
      requestId: device.requestId,
      at: answer.at,
      nodeId: this.nodeId,
      address: device.address,
      request: {
        deviceType: kind.deviceType,
        macAddress: device.macAddress,
        serialNumber: device.serialNumber,
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
    };
    return new Promise((resolve, reject) => {
      this.waiting.push({ check, resolve, reject });
      this.writeNext();
    });
  }

  /** Waits for every recorded check to be written, journaled or refused. */
  async drain(): Promise<void> {
    while (this.writing) {
      await this.writing;
    }
  }

  /** Writes the journal's sealed segments to Postgres, oldest first, removing each once committed. */
  replay(): Promise<void> {
    this.replaying ??= (async () => {
      try {
        const segments = await this.journal.seal();
        this.metrics.auditJournalSegments.set(segments.length);
        for (const segment of segments) {
          const checks = await this.journal.read(segment, reviveCheck);
          for (let start = 0; start < checks.length; start += MAX_BATCH) {
            await this.requestAudit.record(checks.slice(start, start + MAX_BATCH));
          }
          await this.journal.remove(segment);
          this.metrics.auditJournalSegments.dec();
          this.logger.log(`wrote ${checks.length} journaled request audit rows to Postgres`);
        }
      } catch (error) {
        this.logger.debug(`the request audit journal waits: ${(error as Error).message}`);
      } finally {
        this.replaying = null;
      }
    })();
    return this.replaying;
  }

  private writeNext(): void {
    if (this.writing || this.waiting.length === 0) return;
    const batch = this.waiting.splice(0, MAX_BATCH);
    this.writing = this.write(batch).finally(() => {
      this.writing = null;
      this.writeNext();
    });
  }

  private async write(batch: Waiting[]): Promise<void> {
    const started = process.hrtime.bigint();
    const checks = batch.map((waiting) => waiting.check);
    try {
      await this.requestAudit.record(checks);
      this.metrics.auditBatchSize.observe(batch.length);
      this.metrics.auditWriteSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      if (this.journaling) {
        this.journaling = false;
        this.logger.log('Postgres takes request audit rows again');
      }
    } catch (databaseError) {
      try {
        await this.journal.append(checks);
      } catch (journalError) {
        this.logger.error(
          `could not write ${batch.length} request audit rows to Postgres (${(databaseError as Error).message}) ` +
            `nor to the journal (${(journalError as Error).message})`,
        );
        for (const waiting of batch) waiting.reject(databaseError);
        return;
      }
      this.metrics.auditJournaled.inc(batch.length);
      if (!this.journaling) {
        this.journaling = true;
        this.logger.warn(`Postgres cannot take request audit rows (${(databaseError as Error).message}): journaling them locally`);
      }
    }
    await this.writeFiles(checks);
    for (const waiting of batch) waiting.resolve();
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

/** A check as the journal holds it (JSON): its time back as a Date. */
function reviveCheck(value: unknown): AnsweredCheck {
  const check = value as AnsweredCheck & { at: string };
  if (typeof check?.requestId !== 'string' || typeof check.at !== 'string') throw new Error('not a journaled check');
  return { ...check, at: new Date(check.at) };
}
