import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import type { RequestAuditModule, ResponseAuditModule } from '@ucupdates/database';
import { Metrics } from '@ucupdates/observability';
import type { UpdateCheckRequest } from '@ucupdates/protocol';
import { DataSource } from 'typeorm';
import { AuditJournal } from './audit-journal';

/** An update check about to be answered: its audit row and the device's inventory entry come from it. */
export interface AnsweredCheck {
  requestId: string;
  at: Date;
  nodeId: string;
  address: string;
  request: UpdateCheckRequest;
  responseModules: ResponseAuditModule[];
  /** The signed-in user: the authenticated one on the external listener, else the one the phone names. */
  userId: string | null;
  external: boolean;
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
 * Writes the request audit and the inventory with group commit: `record` resolves once the check's
 * audit row is durable, and the caller answers the phone only then, so no answered check lacks
 * its row even when the node is killed right after answering. While one batch is being written the
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
  private waiting: Waiting[] = [];
  private writing: Promise<void> | null = null;
  private replaying: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private journaling = false;

  constructor(
    @Inject(CONFIG) config: Config,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {
    this.journal = new AuditJournal(config.UCU_AUDIT_JOURNAL_DIR);
  }

  /** Writes what an earlier run left in the journal, then keeps writing it while it fills. */
  start(): void {
    void this.replay();
    this.timer = setInterval(() => void this.replay(), REPLAY_INTERVAL_MS);
    this.timer.unref();
  }

  /** Writes or journals every recorded check, and tries once more to empty the journal. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.drain();
    await this.replay();
  }

  /** Resolves when the check's audit row is durable; rejects when it could not be written. */
  record(check: AnsweredCheck): Promise<void> {
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
            await this.dataSource.query(WRITE_BATCH, batchParameters(checks.slice(start, start + MAX_BATCH)));
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
      await this.dataSource.query(WRITE_BATCH, batchParameters(checks));
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
    for (const waiting of batch) waiting.resolve();
  }
}

/** A check as the journal holds it (JSON): its time back as a Date. */
function reviveCheck(value: unknown): AnsweredCheck {
  const check = value as AnsweredCheck & { at: string };
  if (typeof check?.requestId !== 'string' || typeof check.at !== 'string') throw new Error('not a journaled check');
  return { ...check, at: new Date(check.at) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The audit row's request id: the request id itself when it is a UUID, else a UUID made from it
 * (the load balancer's X-Request-Id can be any sane token). A request the load balancer sends
 * again to another node keeps its id, so its audit row is written once.
 */
export function auditRequestId(requestId: string): string {
  if (UUID.test(requestId)) return requestId.toLowerCase();
  const hex = createHash('sha256').update(requestId).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** `mac:<MAC>` or `serial:<serial>`: what identifies a device across checks (the MAC when it has one). */
export function deviceKey(macAddress: string | null, serialNumber: string | null): string {
  return macAddress !== null ? `mac:${macAddress}` : `serial:${serialNumber}`;
}

// One statement: the audit rows (a request id seen before is not written twice) and the inventory
// upsert. A device's entry changes only when this check is newer than the one it holds, so two
// nodes writing the same device out of order keep the latest. The user last seen on a device stays
// when a check names none. The batch is one JSON parameter: serialised natively, where typed
// arrays would be escaped element by element in JavaScript.
const WRITE_BATCH = `
WITH batch AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(
    request_id uuid, at timestamptz, node_id text, address text, device_type text, mac_address text,
    serial_number text, vendor text, model text, revision text, locale text, request_modules jsonb,
    response_modules jsonb, user_id text, external boolean, status smallint, device_key text,
    modules jsonb, is_test_device boolean, newest boolean)
), audit AS (
  INSERT INTO request_audit (request_id, at, node_id, address, device_type, mac_address, serial_number, vendor,
                             model, revision, locale, request_modules, response_modules, user_id, external, status)
  SELECT request_id, at, node_id, address, device_type, mac_address, serial_number, vendor,
         model, revision, locale, request_modules, response_modules, user_id, external, status
    FROM batch
  ON CONFLICT (request_id) DO NOTHING
)
INSERT INTO devices AS d (device_key, mac_address, serial_number, device_type, brand, model, revision, locale, modules,
                          is_test_device, first_seen_at, last_seen_at, last_node_id, last_address, last_user_id)
SELECT device_key, mac_address, serial_number, device_type, vendor, model, revision, locale, modules,
       is_test_device, at, at, node_id, address, user_id
  FROM batch
 WHERE newest
 ORDER BY device_key
ON CONFLICT (device_key) DO UPDATE
   SET mac_address = COALESCE(EXCLUDED.mac_address, d.mac_address),
       serial_number = COALESCE(EXCLUDED.serial_number, d.serial_number),
       device_type = EXCLUDED.device_type, brand = EXCLUDED.brand, model = EXCLUDED.model,
       revision = EXCLUDED.revision, locale = EXCLUDED.locale, modules = EXCLUDED.modules,
       is_test_device = EXCLUDED.is_test_device, last_seen_at = EXCLUDED.last_seen_at,
       last_node_id = EXCLUDED.last_node_id, last_address = EXCLUDED.last_address,
       last_user_id = COALESCE(EXCLUDED.last_user_id, d.last_user_id)
 WHERE d.last_seen_at <= EXCLUDED.last_seen_at`;

/**
 * The statement's parameter: the batch as JSON rows. A device checking twice in one batch would be
 * upserted twice by one statement, which Postgres refuses: only its newest check updates the
 * inventory (`newest`). Devices are upserted in key order, so two nodes upserting the same devices
 * lock them in the same order.
 */
function batchParameters(checks: AnsweredCheck[]): [string] {
  const keys = checks.map(deviceKeyOf);
  const newestIndex = new Map<string, number>();
  keys.forEach((key, index) => {
    const current = newestIndex.get(key);
    if (current === undefined || checks[current].at <= checks[index].at) newestIndex.set(key, index);
  });
  const rows = checks.map((check, index) => ({
    request_id: auditRequestId(check.requestId),
    at: check.at.toISOString(),
    node_id: check.nodeId,
    address: check.address,
    device_type: check.request.deviceType,
    mac_address: check.request.macAddress,
    serial_number: check.request.serialNumber,
    vendor: check.request.vendor,
    model: check.request.model,
    revision: check.request.revision,
    locale: check.request.locale,
    request_modules: check.request.modules.map(requestAuditModule),
    response_modules: check.responseModules,
    user_id: check.userId,
    external: check.external,
    status: check.status,
    device_key: keys[index],
    modules: check.request.modules.map((module) => ({ updateType: module.updateType, version: module.version })),
    is_test_device: check.isTestDevice,
    newest: newestIndex.get(keys[index]) === index,
  }));
  return [JSON.stringify(rows)];
}

function requestAuditModule(module: UpdateCheckRequest['modules'][number]): RequestAuditModule {
  return { filename: module.filename, version: module.version, timestamp: module.timestamp };
}

function deviceKeyOf(check: AnsweredCheck): string {
  return deviceKey(check.request.macAddress, check.request.serialNumber);
}
