import type { RuleKeyFields } from '@ucupdates/rules';
import type { DdiActionFeedback } from '../entities';
import { QueryLayer } from './query-layer';

/** A `ddi_actions` row as the adapter and the admin API read it. */
export interface DdiActionRow extends RuleKeyFields {
  id: string;
  controllerId: string;
  version: string;
  status: string;
  lastFeedback: DdiActionFeedback | null;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  retriedAt: Date | null;
}

export interface DdiActionFilters {
  controllerId?: string;
  status?: string;
}

const COLUMNS = `id::text AS id, controller_id AS "controllerId", device_type AS "deviceType", brand, model, revision, locale,
  update_type AS "updateType", version, status, last_feedback AS "lastFeedback", created_at AS "createdAt",
  updated_at AS "updatedAt", closed_at AS "closedAt", retried_at AS "retriedAt"`;

/** The closed statuses (libs/ddi-protocol ActionStatus). */
const CLOSED = ['succeeded', 'failed', 'cancelled'];

/** DDI actions (ddi.md): opened by polls, moved by feedback, listed and retried by administrators. */
export class DdiActionsRepository extends QueryLayer {
  /**
   * What a poll weighs for one device: its open or cancelling action, the successes (its installed
   * versions) and the failures no administrator retried. One index range (controller_id, id).
   */
  async ofDevice(controllerId: string): Promise<DdiActionRow[]> {
    return this.manager.query<DdiActionRow[]>(
      `SELECT ${COLUMNS} FROM ddi_actions
        WHERE controller_id = $1 AND (status IN ('open', 'cancelling', 'succeeded') OR (status = 'failed' AND retried_at IS NULL))
        ORDER BY id`,
      [controllerId],
    );
  }

  /** One action of one device; null when the device has no such action (another device's is none of its business). */
  async get(controllerId: string, id: string): Promise<DdiActionRow | null> {
    const [row] = await this.manager.query<DdiActionRow[]>(`SELECT ${COLUMNS} FROM ddi_actions WHERE id = $1 AND controller_id = $2`, [
      id,
      controllerId,
    ]);
    return row ?? null;
  }

  async byId(id: string): Promise<DdiActionRow | null> {
    const [row] = await this.manager.query<DdiActionRow[]>(`SELECT ${COLUMNS} FROM ddi_actions WHERE id = $1`, [id]);
    return row ?? null;
  }

  /**
   * Opens an action for the device, unless it has an open or cancelling one already (another node
   * may have opened it a moment ago: `ddi_actions_active_key`); the new action's id, else null.
   */
  async open(controllerId: string, update: RuleKeyFields & { version: string }): Promise<string | null> {
    const rows = await this.manager.query<{ id: string }[]>(
      `INSERT INTO ddi_actions (controller_id, device_type, brand, model, revision, locale, update_type, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (controller_id) WHERE status IN ('open', 'cancelling') DO NOTHING
       RETURNING id::text AS id`,
      [controllerId, update.deviceType, update.brand, update.model, update.revision, update.locale, update.updateType, update.version],
    );
    return rows[0]?.id ?? null;
  }

  /** Marks an open action cancelling (its version is not offered any more). */
  async startCancelling(id: string): Promise<void> {
    await this.manager.query(`UPDATE ddi_actions SET status = 'cancelling', updated_at = now() WHERE id = $1 AND status = 'open'`, [id]);
  }

  /**
   * Records a device's feedback on its action and, when it moves the action, the new status (only
   * from the status it was read in, so two nodes cannot both move it); the row after.
   */
  async feedback(id: string, from: string, to: string | null, feedback: DdiActionFeedback): Promise<DdiActionRow | null> {
    const [rows] = await this.manager.query<[DdiActionRow[], number]>(
      `UPDATE ddi_actions
          SET last_feedback = $3::jsonb, updated_at = now(),
              status = COALESCE($4, status),
              closed_at = CASE WHEN $4::text = ANY($5::text[]) THEN now() ELSE closed_at END
        WHERE id = $1 AND status = $2
        RETURNING ${COLUMNS}`,
      [id, from, JSON.stringify(feedback), to, CLOSED],
    );
    return rows[0] ?? null;
  }

  /** Allows a failed action's version to be offered again; the row after, or null when it is not a failed one not yet retried. */
  async retry(id: string): Promise<DdiActionRow | null> {
    const [rows] = await this.manager.query<[DdiActionRow[], number]>(
      `UPDATE ddi_actions SET retried_at = now(), updated_at = now()
        WHERE id = $1 AND status = 'failed' AND retried_at IS NULL
        RETURNING ${COLUMNS}`,
      [id],
    );
    return rows[0] ?? null;
  }

  /**
   * A device's newest actions that it reported on (each with its last feedback), newest first:
   * what it made of the versions offered to it. ddi_actions_controller_idx walked backwards.
   */
  async reported(controllerId: string, limit: number): Promise<DdiActionRow[]> {
    return this.manager.query<DdiActionRow[]>(
      `SELECT ${COLUMNS} FROM ddi_actions
        WHERE controller_id = $1 AND last_feedback IS NOT NULL
        ORDER BY id DESC
        LIMIT $2`,
      [controllerId, limit],
    );
  }

  /** Newest first by id, after `after`; by device (ddi_actions_controller_idx) or status. */
  async page(filters: DdiActionFilters, after: string | null, limit: number): Promise<DdiActionRow[]> {
    return this.manager.query<DdiActionRow[]>(
      `SELECT ${COLUMNS} FROM ddi_actions
        WHERE ($1::bigint IS NULL OR id < $1::bigint)
          AND ($2::text IS NULL OR controller_id = $2)
          AND ($3::text IS NULL OR status = $3)
        ORDER BY id DESC
        LIMIT $4`,
      [after, filters.controllerId ?? null, filters.status ?? null, limit],
    );
  }
}
