import { DdiTargetEntity } from '../entities';
import { QueryLayer } from './query-layer';

/** What a DDI target's list may be filtered by: attributes, compared case-insensitively as rules compare them. */
export interface DdiTargetFilter {
  vendor?: string;
  model?: string;
  hwRevision?: string;
}

/** The attribute names written into the statement: these constants, never the caller's text. */
const FILTERED_ATTRIBUTES = ['vendor', 'model', 'hwRevision'] as const;

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

  /** In controller id order, after `after`, at most `limit`, matching the filter. */
  async page(filter: DdiTargetFilter, after: string | null, limit: number): Promise<DdiTargetEntity[]> {
    const query = this.manager.getRepository(DdiTargetEntity).createQueryBuilder('target');
    for (const name of FILTERED_ATTRIBUTES) {
      const value = filter[name];
      if (value !== undefined) {
        query.andWhere(`lower(target.attributes ->> '${name}') = lower(:${name})`, { [name]: value });
      }
    }
    if (after !== null) {
      query.andWhere('target.controller_id > :after', { after });
    }
    return query.orderBy('target.controller_id').take(limit).getMany();
  }

  async delete(controllerId: string): Promise<void> {
    await this.manager.getRepository(DdiTargetEntity).delete({ controllerId });
  }
}
