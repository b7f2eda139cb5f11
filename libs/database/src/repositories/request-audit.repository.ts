import { createHash } from 'node:crypto';
import type { DdiAuditDetail, RequestAuditEntity, RequestAuditModule, ResponseAuditModule } from '../entities';
import { fromMicros, micros, type TimeKey } from './keyset';
import { QueryLayer } from './query-layer';

export interface RequestAuditRowFilters {
  since?: string;
  until?: string;
  /** Normalised (upper-case pairs joined by `-`), as the rows hold it. */
  macAddress?: string;
  serialNumber?: string;
  controllerId?: string;
  nodeId?: string;
}

/**
 * An update a device reports installed: its type and version (what the inventory keeps), and the
 * file name and time it names with it (what the request audit keeps, after Lync's audit log).
 */
export interface ReportedModule {
  updateType: string;
  /** '' when the device names none. */
  filename: string;
  version: string;
  timestamp: string | null;
}

/**
 * The device as its request described it, in the request audit's columns (`vendor` is a rule's
 * Brand), with the modules it reports (the audit's request modules, the inventory's modules).
 */
export type AuditedDevice = Pick<
  RequestAuditEntity,
  'deviceType' | 'macAddress' | 'serialNumber' | 'vendor' | 'model' | 'revision' | 'locale'
> & {
  modules: readonly ReportedModule[];
  /** A DDI device's controller id; absent (null) for phones, and in journal lines older than DDI. */
  controllerId?: string | null;
};

/** Which request a request audit row records: a phone's update check, or one of a DDI device's. */
export const AUDIT_OPERATIONS = ['UpdateCheck', 'DdiPoll', 'DdiConfigData', 'DdiFeedback', 'DdiCancelFeedback'] as const;
export type AuditOperation = (typeof AUDIT_OPERATIONS)[number];

/**
 * A device request about to be answered: its request audit row and the device's inventory entry
 * come from it. Also the line format of a frontend's audit journal, so it stays readable by the
 * next release of the node.
 */
export interface AnsweredCheck {
  requestId: string;
  at: Date;
  nodeId: string;
  address: string;
  request: AuditedDevice;
  responseModules: ResponseAuditModule[];
  /** The signed-in user: the authenticated one on the external listener, else the one the device names. */
  userId: string | null;
  external: boolean;
  status: number;
  isTestDevice: boolean;
  /** Absent in journal lines older than DDI: an update check. */
  operation?: AuditOperation;
  /** A DDI request's action: the one a poll linked, or the one a feedback was about. */
  ddi?: DdiAuditDetail | null;
}

/** A `request_audit` row as node-postgres gives it, with `at` also as microseconds for cursors. */
export interface RequestAuditRow {
  id: string;
  request_id: string;
  at: Date;
  at_micros: string;
  node_id: string;
  address: string;
  device_type: string;
  mac_address: string | null;
  serial_number: string | null;
  controller_id: string | null;
  operation: AuditOperation;
  ddi: DdiAuditDetail | null;
  vendor: string;
  model: string;
  revision: string;
  locale: string;
  request_modules: RequestAuditModule[];
  response_modules: ResponseAuditModule[];
  user_id: string | null;
  external: boolean;
  status: number;
}

/** Where a read of a day stopped: the last row's time (microseconds since 1970) and id. */
export interface AuditDayCursor {
  micros: string;
  id: string;
}

/** The request audit and the device inventory, written together. */
export class RequestAuditRepository extends QueryLayer {
  /**
   * One UTC day's checks (`day` is `YYYY-MM-DD`), of one node or all, oldest first by (at, id),
   * at most `limit` after `after`: keyset batches, so no transaction is held between them.
   */
  async dayBatch(day: string, nodeId: string | null, after: AuditDayCursor | null, limit: number): Promise<RequestAuditRow[]> {
    return this.manager.query<RequestAuditRow[]>(
      `SELECT *, (extract(epoch FROM at) * 1000000)::bigint::text AS at_micros FROM request_audit
        WHERE at >= $1::timestamptz AND at < $1::timestamptz + interval '24 hours'
          AND ($2::text IS NULL OR node_id = $2)
          AND ($3::bigint IS NULL OR (at, id) > ('epoch'::timestamptz + $3::bigint * interval '1 microsecond', $4::bigint))
        ORDER BY at, id
        LIMIT $5`,
      [`${day}T00:00:00Z`, nodeId, after?.micros ?? null, after?.id ?? null, limit],
    );
  }

  /**
   * Writes batch rows (`auditRow`) in one statement, atomic by itself: their audit rows, and the
   * inventory entries of the rows that carry one. A request id written before is not written
   * again, so writing a row twice (a journal shipped again after a crash) is harmless.
   */
  async recordRows(rows: readonly string[]): Promise<void> {
    // A named statement: each pooled connection parses and plans it once, not per shipment (about
    // 0.5 ms of Postgres CPU a statement, most of a small shipment's cost: docs/performance.md, "The
    // audit shipment in Postgres"). TypeORM's query() takes only text, so the shipment is sent on
    // the node-postgres client of the manager's query runner (the transaction's when bound to one).
    const own = this.manager.queryRunner === undefined || this.manager.queryRunner.isReleased;
    const runner = own ? this.manager.connection.createQueryRunner() : this.manager.queryRunner!;
    try {
      const client = (await runner.connect()) as PreparingClient;
      await client.query({ name: WRITE_BATCH_NAME, text: WRITE_BATCH, values: [`[${rows.join(',')}]`, INVENTORY_TOUCH_MINUTES] });
    } finally {
      if (own) await runner.release();
    }
  }

  /**
   * Newest first, by (at, id), after `after`. Every filter is optional; the plan stays on an index
   * because node-postgres sends parameters with the query, so Postgres plans with their values and
   * drops the `$n IS NULL OR` arms that do not apply: request_audit_at_idx walked backwards, or
   * request_audit_mac_at_idx / request_audit_serial_at_idx when a device is named. The cursor
   * repeats `at <= t` beside the row comparison because those indexes hold `at`, not `(at, id)`.
   * No index serves node_id: a pool has a handful of nodes, so each one's rows are a large share
   * of any page the at index walks.
   */
  async page(filters: RequestAuditRowFilters, after: TimeKey | null, limit: number): Promise<RequestAuditRow[]> {
    return this.manager.query<RequestAuditRow[]>(
      `SELECT *, ${micros('at')} AS at_micros FROM request_audit
        WHERE ($1::bigint IS NULL OR (at <= ${fromMicros('$1')} AND (at, id) < (${fromMicros('$1')}, $2::bigint)))
          AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)
          AND ($5::text IS NULL OR mac_address = $5)
          AND ($6::text IS NULL OR serial_number = $6)
          AND ($7::text IS NULL OR node_id = $7)
          AND ($9::text IS NULL OR controller_id = $9)
        ORDER BY at DESC, id DESC
        LIMIT $8`,
      [
        after?.micros ?? null,
        after?.id ?? null,
        filters.since ?? null,
        filters.until ?? null,
        filters.macAddress ?? null,
        filters.serialNumber ?? null,
        filters.nodeId ?? null,
        limit,
        filters.controllerId ?? null,
      ],
    );
  }

  /** Deletes at most `limit` of the oldest rows older than `retentionDays` (one batch); the count deleted. */
  async removeOlderThan(retentionDays: number, limit: number): Promise<number> {
    const [, deleted] = await this.manager.query<[unknown, number]>(
      `DELETE FROM request_audit
        WHERE id IN (SELECT id FROM request_audit
                      WHERE at < now() - make_interval(days => $1)
                      ORDER BY at LIMIT $2)`,
      [retentionDays, limit],
    );
    return deleted;
  }
}

/** The part of node-postgres's client recordRows uses: a query by name, prepared on first use per connection. */
interface PreparingClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<unknown>;
}

/** The audit write's prepared-statement name (one text per name and connection, as node-postgres requires). */
const WRITE_BATCH_NAME = 'ucupdates_audit_write';

/**
 * How stale a device's last-seen time may get while it checks again unchanged: its inventory entry
 * is written when something but the time changed, else at most this often (docs/phones.md).
 */
export const INVENTORY_TOUCH_MINUTES = 10;

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

/**
 * `ddi:<controllerId>` for a DDI device, else `mac:<MAC>` or `serial:<serial>`: what identifies a
 * device across requests (a phone's MAC when it has one).
 */
export function deviceKey(macAddress: string | null, serialNumber: string | null, controllerId: string | null = null): string {
  if (controllerId !== null) return `ddi:${controllerId}`;
  return macAddress !== null ? `mac:${macAddress}` : `serial:${serialNumber}`;
}

// One statement: the audit rows (a request id seen before is not written twice) and the inventory
// upsert of the rows that carry it (`inventory`). A device's entry changes only when this check is
// newer than the one it holds, so two nodes writing the same device out of order keep the latest,
// and only when something but the time changed or the entry was last seen INVENTORY_TOUCH_MINUTES
// ago ($2): a phone checking again with the same versions from the same address costs no new row
// version (and no index entries) per check. The user last seen on a device stays when a check names
// none. A device checking twice in one batch would be upserted twice by one statement, which
// Postgres refuses: DISTINCT ON keeps its newest check (with the newest user any of its checks in
// the batch named, as if they had been shipped one by one), and orders the upserts by device key, so
// two nodes upserting the same devices lock them in the same order. The batch is one JSON parameter:
// serialised once, when the row is journaled (auditRow), and parsed natively by Postgres.
// (bench/explain-audit-write.ts reads this constant from this file to show its plan.)
const WRITE_BATCH = `
WITH batch AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(
    request_id uuid, at timestamptz, node_id text, address text, device_type text, mac_address text,
    serial_number text, controller_id text, operation text, ddi jsonb, vendor text, model text, revision text, locale text,
    request_modules jsonb, response_modules jsonb, user_id text, external boolean, status smallint, device_key text,
    modules jsonb, is_test_device boolean, inventory boolean)
), audit AS (
  INSERT INTO request_audit (request_id, at, node_id, address, device_type, mac_address, serial_number, controller_id,
                             operation, ddi, vendor, model, revision, locale, request_modules, response_modules, user_id,
                             external, status)
  SELECT request_id, at, node_id, address, device_type, mac_address, serial_number, controller_id,
         -- A journal line written before DDI has no operation: an update check.
         COALESCE(operation, 'UpdateCheck'), ddi, vendor, model, revision, locale, request_modules, response_modules,
         user_id, external, status
    FROM batch
  ON CONFLICT (request_id) DO NOTHING
)
INSERT INTO devices AS d (device_key, mac_address, serial_number, controller_id, device_type, brand, model, revision,
                          locale, modules, is_test_device, first_seen_at, last_seen_at, last_node_id, last_address,
                          last_user_id)
SELECT DISTINCT ON (device_key)
       device_key, mac_address, serial_number, controller_id, device_type, vendor, model, revision, locale, modules,
       is_test_device, at, at, node_id, address,
       first_value(user_id) OVER (PARTITION BY device_key ORDER BY user_id IS NULL, at DESC)
  FROM batch
 WHERE inventory
 ORDER BY device_key, at DESC
ON CONFLICT (device_key) DO UPDATE
   SET mac_address = COALESCE(EXCLUDED.mac_address, d.mac_address),
       serial_number = COALESCE(EXCLUDED.serial_number, d.serial_number),
       controller_id = COALESCE(EXCLUDED.controller_id, d.controller_id),
       device_type = EXCLUDED.device_type, brand = EXCLUDED.brand, model = EXCLUDED.model,
       revision = EXCLUDED.revision, locale = EXCLUDED.locale, modules = EXCLUDED.modules,
       is_test_device = EXCLUDED.is_test_device, last_seen_at = EXCLUDED.last_seen_at,
       last_node_id = EXCLUDED.last_node_id, last_address = EXCLUDED.last_address,
       last_user_id = COALESCE(EXCLUDED.last_user_id, d.last_user_id)
 WHERE d.last_seen_at <= EXCLUDED.last_seen_at
   AND (d.last_seen_at < EXCLUDED.last_seen_at - make_interval(mins => $2)
        OR d.modules IS DISTINCT FROM EXCLUDED.modules OR d.last_address IS DISTINCT FROM EXCLUDED.last_address
        OR d.is_test_device IS DISTINCT FROM EXCLUDED.is_test_device
        OR (EXCLUDED.last_user_id IS NOT NULL AND d.last_user_id IS DISTINCT FROM EXCLUDED.last_user_id)
        OR (d.device_type, d.brand, d.model, d.revision, d.locale)
           IS DISTINCT FROM (EXCLUDED.device_type, EXCLUDED.brand, EXCLUDED.model, EXCLUDED.revision, EXCLUDED.locale))`;

/**
 * A check as one row of the write statement, in JSON: what the node's journal holds, one per line,
 * and what `recordRows` ships. `inventory` false leaves the device's inventory entry alone (the
 * node knows it unchanged: InventoryChanges). Field order is the statement's.
 */
export function auditRow(check: AnsweredCheck, inventory: boolean): string {
  const { request } = check;
  return JSON.stringify({
    request_id: auditRequestId(check.requestId),
    at: check.at.toISOString(),
    node_id: check.nodeId,
    address: check.address,
    device_type: request.deviceType,
    mac_address: request.macAddress,
    serial_number: request.serialNumber,
    controller_id: request.controllerId ?? null,
    operation: check.operation ?? 'UpdateCheck',
    ddi: check.ddi ?? null,
    vendor: request.vendor,
    model: request.model,
    revision: request.revision,
    locale: request.locale,
    request_modules: request.modules.map(requestAuditModule),
    response_modules: check.responseModules,
    user_id: check.userId,
    external: check.external,
    status: check.status,
    device_key: deviceKey(request.macAddress, request.serialNumber, request.controllerId ?? null),
    modules: request.modules.map((module) => ({ updateType: module.updateType, version: module.version })),
    is_test_device: check.isTestDevice,
    inventory,
  });
}

function requestAuditModule(module: ReportedModule): RequestAuditModule {
  return { filename: module.filename, version: module.version, timestamp: module.timestamp };
}

/** About the most rows one shipment (one statement of recordRows) carries, from the frontend or the worker. */
export const AUDIT_SHIPMENT_MAX_ROWS = 5_000;

/** The rows to ship of a journal file's text, each line read by `revive` (journalLineRow: skipped lines left out). */
export function journalRows(text: string, revive: (line: string) => string | null = journalLineRow): string[] {
  const rows: string[] = [];
  for (const line of text.split('\n')) {
    const row = line === '' ? null : revive(line);
    if (row !== null) rows.push(row);
  }
  return rows;
}

/**
 * A line of a node's request audit journal read back from disk as the row to ship (`recordRows`),
 * or null for a line to skip: the torn last line of a crashed append (never acknowledged: the answer
 * waits for the fsync). A line an earlier release wrote (an AnsweredCheck) is made a row. The
 * frontend reads its own journal with it, the node's worker a journal it took over (decision 74).
 */
export function journalLineRow(line: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  if (typeof (value as { request_id?: unknown }).request_id === 'string') return line;
  const check = value as AnsweredCheck & { at: string };
  if (typeof check.requestId !== 'string' || typeof check.at !== 'string' || typeof check.request !== 'object') return null;
  return auditRow({ ...check, at: new Date(check.at) }, true);
}
