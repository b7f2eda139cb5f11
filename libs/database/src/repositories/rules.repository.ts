import type { RuleKeyFields, RuleState } from '@ucupdates/rules';
import { RuleEntity } from '../entities';
import { QueryLayer } from './query-layer';

export const RULE_KEY_COLUMNS: Record<keyof RuleKeyFields, string> = {
  deviceType: 'device_type',
  brand: 'brand',
  model: 'model',
  revision: 'revision',
  locale: 'locale',
  updateType: 'update_type',
};

const KEY_ORDER = ['deviceType', 'brand', 'model', 'revision', 'locale', 'updateType'] as const;

/** A rule with the ids of its pending and approved versions' rows (null: no such row), for their replication status. */
export type RuleRow = Omit<RuleEntity, 'createdAt' | 'updatedAt'> & {
  pendingVersionId: string | null;
  approvedVersionId: string | null;
};

/** ILIKE patterns on key attributes (SQL's own `%`, `_`, `\` escaped by the caller). */
export type RuleKeyPatterns = Partial<RuleKeyFields>;

const SELECT_ROWS = `
  SELECT r.id, r.device_type AS "deviceType", r.brand, r.model, r.revision, r.locale, r.update_type AS "updateType",
         r.approved_version AS "approvedVersion", r.pending_version AS "pendingVersion",
         r.restore_version AS "restoreVersion", r.rolled_back_version AS "rolledBackVersion",
         r.approved_at AS "approvedAt", r.pending_at AS "pendingAt",
         pv.id AS "pendingVersionId", av.id AS "approvedVersionId"
    FROM rules r
    LEFT JOIN update_versions pv ON pv.rule_id = r.id AND pv.version = r.pending_version
    LEFT JOIN update_versions av ON av.rule_id = r.id AND av.version = r.approved_version`;

/** Device update rules (`rules`). */
export class RulesRepository extends QueryLayer {
  /**
   * A page of rules in key order, one statement: those matching every pattern, after the key
   * `after` (a cursor), at most `limit`.
   */
  async page(patterns: RuleKeyPatterns, limit: number, after: readonly string[] | null): Promise<RuleRow[]> {
    const conditions: string[] = [];
    const parameters: unknown[] = [];
    for (const field of KEY_ORDER) {
      const pattern = patterns[field];
      if (pattern !== undefined) {
        parameters.push(pattern);
        conditions.push(`r.${RULE_KEY_COLUMNS[field]} ILIKE $${parameters.length}`);
      }
    }
    if (after !== null) {
      const placeholders = after.map((value) => {
        parameters.push(value);
        return `$${parameters.length}`;
      });
      conditions.push(`(${KEY_ORDER.map((field) => `r.${RULE_KEY_COLUMNS[field]}`).join(', ')}) > (${placeholders.join(', ')})`);
    }
    parameters.push(limit);
    return this.manager.query<RuleRow[]>(
      `${SELECT_ROWS}
        ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
        ORDER BY ${KEY_ORDER.map((field) => `r.${RULE_KEY_COLUMNS[field]}`).join(', ')}
        LIMIT $${parameters.length}`,
      parameters,
    );
  }

  async get(id: string): Promise<RuleRow | null> {
    const [row] = await this.manager.query<RuleRow[]>(`${SELECT_ROWS} WHERE r.id = $1`, [id]);
    return row ?? null;
  }

  /** The rule, locked until the transaction ends (bind the repository to one: `in(manager)`). */
  async lock(id: string): Promise<RuleEntity | null> {
    return this.manager
      .getRepository(RuleEntity)
      .createQueryBuilder('rule')
      .where('rule.id = :id', { id })
      .setLock('pessimistic_write')
      .getOne();
  }

  /** The id of a rule's version row; null when the rule has no such version. */
  async versionId(ruleId: string, version: string): Promise<string | null> {
    const [row] = await this.manager.query<{ id: string }[]>(`SELECT id FROM update_versions WHERE rule_id = $1 AND version = $2`, [
      ruleId,
      version,
    ]);
    return row?.id ?? null;
  }

  async setState(id: string, state: RuleState): Promise<void> {
    await this.manager.getRepository(RuleEntity).update(id, state);
  }

  /** Its versions and their file lists go with it (ON DELETE CASCADE); files stay until purged. */
  async remove(id: string): Promise<void> {
    await this.manager.getRepository(RuleEntity).delete(id);
  }
}
