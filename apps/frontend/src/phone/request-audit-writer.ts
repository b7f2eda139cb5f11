import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RequestAuditModule, ResponseAuditModule } from '@ucupdates/database';
import { Metrics } from '@ucupdates/observability';
import type { UpdateCheckRequest } from '@ucupdates/protocol';
import { DataSource } from 'typeorm';

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

/**
 * Writes the request audit and the inventory with group commit: `record` resolves once the check's
 * audit row is committed, and the caller answers the phone only then, so no answered check lacks
 * its row even when the node is killed right after answering. While one batch is being written the
 * next collects, so a busy node writes many checks per statement and an idle one adds no delay.
 * Each batch is one statement (audit insert and inventory upsert together), atomic by itself.
 *
 * A shared instance of the frontend's core: no Nest lifecycle hooks (see core.module.ts).
 */
@Injectable()
export class RequestAuditWriter {
  private readonly logger = new Logger(RequestAuditWriter.name);
  private waiting: Waiting[] = [];
  private writing: Promise<void> | null = null;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {}

  /** Resolves when the check's audit row is durable; rejects when it could not be written. */
  record(check: AnsweredCheck): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ check, resolve, reject });
      this.writeNext();
    });
  }

  /** Waits for every recorded check to be written (or refused): before the node closes its connections. */
  async drain(): Promise<void> {
    while (this.writing) {
      await this.writing;
    }
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
    try {
      await this.dataSource.query(WRITE_BATCH, batchParameters(batch.map((waiting) => waiting.check)));
      for (const waiting of batch) waiting.resolve();
      this.metrics.auditBatchSize.observe(batch.length);
      this.metrics.auditWriteSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    } catch (error) {
      this.logger.error(`could not write ${batch.length} request audit rows: ${(error as Error).message}`);
      for (const waiting of batch) waiting.reject(error);
    }
  }
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
// when a check names none.
const WRITE_BATCH = `
WITH audit AS (
  INSERT INTO request_audit (request_id, at, node_id, address, device_type, mac_address, serial_number, vendor,
                             model, revision, locale, request_modules, response_modules, user_id, external, status)
  SELECT request_id, at, node_id, address, device_type, mac_address, serial_number, vendor,
         model, revision, locale, request_modules::jsonb, response_modules::jsonb, user_id, external, status
    FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::boolean[], $16::smallint[])
      AS t(request_id, at, node_id, address, device_type, mac_address, serial_number, vendor,
           model, revision, locale, request_modules, response_modules, user_id, external, status)
  ON CONFLICT (request_id) DO NOTHING
)
INSERT INTO devices AS d (device_key, mac_address, serial_number, device_type, brand, model, revision, locale, modules,
                          is_test_device, first_seen_at, last_seen_at, last_node_id, last_address, last_user_id)
SELECT device_key, mac_address, serial_number, device_type, brand, model, revision, locale, modules::jsonb,
       is_test_device, seen_at, seen_at, node_id, address, user_id
  FROM unnest($17::text[], $6::text[], $7::text[], $5::text[], $8::text[], $9::text[], $10::text[], $11::text[],
              $18::text[], $19::boolean[], $2::timestamptz[], $3::text[], $4::text[], $14::text[], $20::boolean[])
    AS t(device_key, mac_address, serial_number, device_type, brand, model, revision, locale, modules,
         is_test_device, seen_at, node_id, address, user_id, newest)
 WHERE newest
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
 * The statement's parameters, column by column. A device checking twice in one batch would be
 * upserted twice by one statement, which Postgres refuses: only its newest check updates the
 * inventory (`newest`).
 */
function batchParameters(unordered: AnsweredCheck[]): unknown[] {
  // In device order, so two nodes upserting the same devices lock them in the same order.
  const checks = [...unordered].sort((a, b) => compareText(deviceKeyOf(a), deviceKeyOf(b)));
  const keys = checks.map(deviceKeyOf);
  const newestIndex = new Map<string, number>();
  keys.forEach((key, index) => {
    const current = newestIndex.get(key);
    if (current === undefined || checks[current].at <= checks[index].at) newestIndex.set(key, index);
  });
  const column = <T>(pick: (check: AnsweredCheck) => T) => checks.map(pick);
  return [
    column((check) => auditRequestId(check.requestId)),
    column((check) => check.at.toISOString()),
    column((check) => check.nodeId),
    column((check) => check.address),
    column((check) => check.request.deviceType),
    column((check) => check.request.macAddress),
    column((check) => check.request.serialNumber),
    column((check) => check.request.vendor),
    column((check) => check.request.model),
    column((check) => check.request.revision),
    column((check) => check.request.locale),
    column((check) => JSON.stringify(check.request.modules.map(requestAuditModule))),
    column((check) => JSON.stringify(check.responseModules)),
    column((check) => check.userId),
    column((check) => check.external),
    column((check) => check.status),
    keys,
    column((check) =>
      JSON.stringify(check.request.modules.map((module) => ({ updateType: module.updateType, version: module.version }))),
    ),
    column((check) => check.isTestDevice),
    keys.map((key, index) => newestIndex.get(key) === index),
  ];
}

function requestAuditModule(module: UpdateCheckRequest['modules'][number]): RequestAuditModule {
  return { filename: module.filename, version: module.version, timestamp: module.timestamp };
}

function deviceKeyOf(check: AnsweredCheck): string {
  return deviceKey(check.request.macAddress, check.request.serialNumber);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
