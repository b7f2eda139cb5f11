import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Page } from '../pagination';
import { decodeTimeCursor, encodeTimeCursor, fromMicros, isBigintId, micros } from '../time-cursor';
import { type AuditDayCursor, RequestAuditRepository } from '@ucupdates/database';
import { AUDIT_LOG_HEADER, auditLogRow } from '../../devices/request-audit/audit-log-format';
import { type RequestAuditRow, type RequestAuditView, requestAuditView } from './request-audit-view';

export interface RequestAuditFilters {
  since?: string;
  until?: string;
  /** Normalised (upper-case pairs joined by `-`), as the rows hold it. */
  macAddress?: string;
  serialNumber?: string;
  nodeId?: string;
}

/**
 * Rows read per query while exporting a day: few enough that a batch is small in memory, many
 * enough that a day of millions of rows is a few thousand round trips.
 */
const EXPORT_BATCH = 2000;

/** The request audit (one row per answered update check), as the admin API reads it. */
@Injectable()
export class RequestAuditService {
  private readonly logger = new Logger(RequestAuditService.name);

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(RequestAuditRepository) private readonly requestAudit: RequestAuditRepository,
  ) {}

  /**
   * Newest first, by (at, id). Every filter is optional; the plan stays on an index because
   * node-postgres sends parameters with the query, so Postgres plans with their values and drops
   * the `$n IS NULL OR` arms that do not apply: request_audit_at_idx walked backwards, or
   * request_audit_mac_at_idx / request_audit_serial_at_idx when a device is named. The cursor
   * repeats `at <= t` beside the row comparison because those indexes hold `at`, not `(at, id)`.
   * No index serves node_id: a pool has a handful of nodes, so each one's rows are a large share
   * of any page the at index walks.
   */
  async list(filters: RequestAuditFilters, limit: number, cursor?: string): Promise<Page<RequestAuditView>> {
    const after = cursor ? decodeTimeCursor(cursor, isBigintId) : null;
    const rows = await this.dataSource.query<RequestAuditRow[]>(
      `SELECT *, ${micros('at')} AS at_micros FROM request_audit
        WHERE ($1::bigint IS NULL OR (at <= ${fromMicros('$1')} AND (at, id) < (${fromMicros('$1')}, $2::bigint)))
          AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)
          AND ($5::text IS NULL OR mac_address = $5)
          AND ($6::text IS NULL OR serial_number = $6)
          AND ($7::text IS NULL OR node_id = $7)
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
        limit + 1,
      ],
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(requestAuditView),
      nextCursor: rows.length > limit && last ? encodeTimeCursor({ micros: last.at_micros, id: last.id }) : null,
    };
  }

  /**
   * One UTC day's checks (of one node, or of the pool) as Lync's audit file: the header row, then
   * a row per check, oldest first, read in batches by keyset on (at, id): memory stays at one
   * batch whatever the day holds, and no connection or transaction is held while the client reads
   * (a slow download must not pin a pool connection). The generator is pulled by the response
   * stream, so a batch is read only when the previous one has been taken; a client that goes away
   * stops the reads. Rows written meanwhile for a time already passed are not in this file (a
   * later export has them).
   */
  async *exportDay(day: string, nodeId: string | null): AsyncGenerator<string> {
    let after: AuditDayCursor | null = null;
    let count = 0;
    let text = AUDIT_LOG_HEADER;
    for (;;) {
      const rows: RequestAuditRow[] = await this.requestAudit.dayBatch(day, nodeId, after, EXPORT_BATCH);
      count += rows.length;
      for (const row of rows) text += auditLogRow(requestAuditView(row));
      yield text;
      text = '';
      if (rows.length < EXPORT_BATCH) {
        break;
      }
      const last = rows[rows.length - 1];
      after = { micros: last.at_micros, id: last.id };
    }
    this.logger.log(`exported ${count} request audit rows of ${day}${nodeId === null ? '' : ` (${nodeId})`}`);
  }
}
