import type { AdminAuditEntity } from '../entities';
import { QueryLayer } from './query-layer';

export interface AdminChange {
  actor: string;
  role: string;
  action: string;
  target: string;
  /** What `target` is, named as administrators know it (AdminAuditEntity.subject). */
  subject: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  nodeId: string;
}

/** Optional filters of the admin audit; `beforeId` is the cursor (ids below it). */
export interface AdminAuditFilters {
  beforeId: string | null;
  since: string | null;
  until: string | null;
  actor: string | null;
  action: string | null;
  target: string | null;
  /** Case-insensitive. */
  subject: string | null;
}

export type AdminAuditRow = Pick<AdminAuditEntity, 'at' | 'actor' | 'role' | 'action' | 'target' | 'subject' | 'before' | 'after' | 'nodeId'> & {
  /** bigint, as text. */
  id: string;
};

/** The administrative changes (`admin_audit`). */
export class AdminAuditRepository extends QueryLayer {
  /**
   * Writes the audit row of a change. Bind the repository to the transaction that makes the
   * change (`tx(adminAudit).record(…)`): the change and its row commit together or not at all.
   */
  async record(change: AdminChange): Promise<void> {
    await this.manager.query(
      `INSERT INTO admin_audit (actor, role, action, target, subject, before, after, node_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        change.actor,
        change.role,
        change.action,
        change.target,
        change.subject,
        change.before === null ? null : JSON.stringify(change.before),
        change.after === null ? null : JSON.stringify(change.after),
        change.nodeId,
      ],
    );
  }

  /** Newest first; served by admin_audit's primary key and at index. Every filter is optional. */
  async list(filters: AdminAuditFilters, limit: number): Promise<AdminAuditRow[]> {
    return this.manager.query<AdminAuditRow[]>(
      `SELECT id, at, actor, role, action, target, subject, before, after, node_id AS "nodeId" FROM admin_audit
        WHERE ($1::bigint IS NULL OR id < $1)
          AND ($2::timestamptz IS NULL OR at >= $2) AND ($3::timestamptz IS NULL OR at < $3)
          AND ($4::text IS NULL OR actor = $4) AND ($5::text IS NULL OR action = $5) AND ($6::text IS NULL OR target = $6)
          AND ($7::text IS NULL OR lower(subject) = lower($7))
        ORDER BY id DESC LIMIT $8`,
      [filters.beforeId, filters.since, filters.until, filters.actor, filters.action, filters.target, filters.subject, limit],
    );
  }
}
