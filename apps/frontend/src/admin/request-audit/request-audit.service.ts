import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Page, RequestAuditView } from '@ucupdates/admin-api';
import { type AuditDayCursor, type RequestAuditRow, type RequestAuditRowFilters, RequestAuditRepository } from '@ucupdates/database';
import { decodeTimeCursor, encodeTimeCursor, isBigintId } from '../shared/time-cursor';
import { AUDIT_LOG_HEADER, auditLogRow } from '../../devices/request-audit/audit-log-format';
import { requestAuditView } from './request-audit-view';

export type RequestAuditFilters = RequestAuditRowFilters;

/**
 * Rows read per query while exporting a day: few enough that a batch is small in memory, many
 * enough that a day of millions of rows is a few thousand round trips.
 */
const EXPORT_BATCH = 2000;

/** The request audit (one row per answered update check), as the admin API reads it. */
@Injectable()
export class RequestAuditService {
  private readonly logger = new Logger(RequestAuditService.name);

  constructor(@Inject(RequestAuditRepository) private readonly requestAudit: RequestAuditRepository) {}

  /** Newest first, by (at, id) (RequestAuditRepository.page says which index serves which filter). */
  async list(filters: RequestAuditFilters, limit: number, cursor?: string): Promise<Page<RequestAuditView>> {
    const after = cursor ? decodeTimeCursor(cursor, isBigintId) : null;
    const rows = await this.requestAudit.page(filters, after, limit + 1);
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
