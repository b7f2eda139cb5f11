import { DdiTargetEntity, type DeviceModule } from '../entities';
import { QueryLayer } from './query-layer';

/**
 * What a DDI target's list may be filtered by: attributes, compared case-insensitively as rules
 * compare them; and, as the phones' inventory list is, a version it installed and when it was last seen.
 */
export interface DdiTargetFilter {
  vendor?: string;
  model?: string;
  hwRevision?: string;
  installedVersion?: string;
  /** ISO 8601. */
  seenSince?: string;
}

/** A target as the admin API lists it: the row, what the inventory says of it, its last poll and its open action. */
export interface DdiTargetSummaryRow {
  controllerId: string;
  attributes: Record<string, string>;
  registeredBy: string;
  tokenIssuedAt: Date | null;
  createdAt: Date;
  /** The inventory's modules (update type and version); null before the device's first request. */
  installed: DeviceModule[] | null;
  lastSeenAt: Date | null;
  pollAt: Date | null;
  pollNodeId: string | null;
  pollAddress: string | null;
  actionId: string | null;
  actionUpdateType: string | null;
  actionVersion: string | null;
  actionStatus: string | null;
  actionCreatedAt: Date | null;
}

/**
 * The summary of targets, with the caller's condition. Per target: its inventory row by its unique
 * device key (`ddi:<controllerId>`, RequestAuditRepository's deviceKey), its newest poll by
 * request_audit_controller_at_idx walked backwards (polls are most of a device's rows, so the walk
 * stops at once), and its open or cancelling action by the partial unique index
 * ddi_actions_active_key: three index probes a target, whatever the audit's size.
 */
const SUMMARY = (where: string, tail: string) => `
  SELECT t.controller_id AS "controllerId", t.attributes, t.registered_by AS "registeredBy",
         t.token_issued_at AS "tokenIssuedAt", t.created_at AS "createdAt",
         d.modules AS installed, d.last_seen_at AS "lastSeenAt",
         p.at AS "pollAt", p.node_id AS "pollNodeId", p.address AS "pollAddress",
         a.id::text AS "actionId", a.update_type AS "actionUpdateType", a.version AS "actionVersion",
         a.status AS "actionStatus", a.created_at AS "actionCreatedAt"
    FROM ddi_targets t
    LEFT JOIN devices d ON d.device_key = 'ddi:' || t.controller_id
    LEFT JOIN LATERAL (
      SELECT r.at, r.node_id, r.address FROM request_audit r
       WHERE r.controller_id = t.controller_id AND r.operation = 'DdiPoll'
       ORDER BY r.at DESC LIMIT 1
    ) p ON true
    LEFT JOIN ddi_actions a ON a.controller_id = t.controller_id AND a.status IN ('open', 'cancelling')
   WHERE ${where}
   ${tail}`;

/** A new DDI target: by an administrator with a token, or by a gateway (ddi.md) without one. */
export type NewDdiTarget = Pick<DdiTargetEntity, 'controllerId' | 'attributes' | 'tokenHash' | 'registeredBy'>;

/**
 * DDI targets (`ddi_targets`, ddi.md): the devices that speak hawkBit's DDI API, their attributes
 * and the SHA-256 of their target token.
 */
export class DdiTargetsRepository extends QueryLayer {
  /**
   * The device a target token belongs to (by the token's SHA-256, apps/frontend/src/auth/token-hash.ts
   * hashToken), or null: how the DDI endpoints authenticate `Authorization: TargetToken <token>`.
   * One indexed lookup (`ddi_targets_token_hash_key`).
   */
  async byTokenHash(tokenHash: string): Promise<DdiTargetEntity | null> {
    return this.manager.getRepository(DdiTargetEntity).findOne({ where: { tokenHash } });
  }

  /** The device; with `lock`, locked until the transaction ends. */
  async byControllerId(controllerId: string, lock = false): Promise<DdiTargetEntity | null> {
    return this.manager
      .getRepository(DdiTargetEntity)
      .findOne({ where: { controllerId }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  /**
   * Inserts a device; null when one of that controller id exists already (nodes registering the
   * same device at once: the primary key decides, the loser is told, nothing is overwritten).
   */
  async create(target: NewDdiTarget): Promise<DdiTargetEntity | null> {
    const rows = await this.manager.query<{ controller_id: string }[]>(
      `INSERT INTO ddi_targets (controller_id, attributes, token_hash, token_issued_at, registered_by)
       VALUES ($1, $2, $3, CASE WHEN $5 THEN now() END, $4)
       ON CONFLICT (controller_id) DO NOTHING RETURNING controller_id`,
      [target.controllerId, JSON.stringify(target.attributes), target.tokenHash, target.registeredBy, target.tokenHash !== null],
    );
    return rows.length === 0 ? null : this.byControllerId(target.controllerId);
  }

  /** Replaces the device's attributes (configData, or an administrator); false when there is no such device. */
  async setAttributes(controllerId: string, attributes: Record<string, string>): Promise<boolean> {
    const rows = await this.manager.query<unknown[]>(
      `UPDATE ddi_targets SET attributes = $2, updated_at = now() WHERE controller_id = $1 RETURNING 1`,
      [controllerId, JSON.stringify(attributes)],
    );
    return rows.length > 0;
  }

  /** Gives the device a new token hash: the old token stops working at once. False when there is no such device. */
  async setTokenHash(controllerId: string, tokenHash: string): Promise<boolean> {
    const rows = await this.manager.query<unknown[]>(
      `UPDATE ddi_targets SET token_hash = $2, token_issued_at = now(), updated_at = now() WHERE controller_id = $1 RETURNING 1`,
      [controllerId, tokenHash],
    );
    return rows.length > 0;
  }

  /**
   * In controller id order (the primary key), after `after`, at most `limit`, matching the filter;
   * each with its summary (SUMMARY). The version filter is jsonb containment on the inventory row
   * found by its key, as the phones' list filters theirs.
   */
  async page(filter: DdiTargetFilter, after: string | null, limit: number): Promise<DdiTargetSummaryRow[]> {
    return this.manager.query<DdiTargetSummaryRow[]>(
      SUMMARY(
        `($1::text IS NULL OR t.controller_id > $1)
         AND ($2::text IS NULL OR lower(t.attributes ->> 'vendor') = lower($2))
         AND ($3::text IS NULL OR lower(t.attributes ->> 'model') = lower($3))
         AND ($4::text IS NULL OR lower(t.attributes ->> 'hwRevision') = lower($4))
         AND ($5::text IS NULL OR d.modules @> jsonb_build_array(jsonb_build_object('version', $5::text)))
         AND ($6::timestamptz IS NULL OR d.last_seen_at >= $6::timestamptz)`,
        'ORDER BY t.controller_id LIMIT $7',
      ),
      [
        after,
        filter.vendor ?? null,
        filter.model ?? null,
        filter.hwRevision ?? null,
        filter.installedVersion ?? null,
        filter.seenSince ?? null,
        limit,
      ],
    );
  }

  /** One target's summary, or null when there is no such target. */
  async summary(controllerId: string): Promise<DdiTargetSummaryRow | null> {
    const [row] = await this.manager.query<DdiTargetSummaryRow[]>(SUMMARY('t.controller_id = $1', ''), [controllerId]);
    return row ?? null;
  }

  async delete(controllerId: string): Promise<void> {
    await this.manager.getRepository(DdiTargetEntity).delete({ controllerId });
  }
}
