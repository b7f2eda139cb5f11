import { AdminTokenEntity, Role } from '../entities';
import { fromMicros, micros, type TimeKey } from './keyset';
import { QueryLayer } from './query-layer';

/** Admin API tokens (`admin_tokens`): only their hashes are kept. */
export class AdminTokensRepository extends QueryLayer {
  async byHash(tokenHash: string): Promise<AdminTokenEntity | null> {
    return this.manager.getRepository(AdminTokenEntity).findOne({ where: { tokenHash } });
  }

  /** The token; with `lock`, locked until the transaction ends. */
  async byId(id: string, lock = false): Promise<AdminTokenEntity | null> {
    return this.manager
      .getRepository(AdminTokenEntity)
      .findOne({ where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  /** Records that the token was just used. */
  async touch(id: string): Promise<void> {
    await this.manager.query(`UPDATE admin_tokens SET last_used_at = now() WHERE id = $1`, [id]);
  }

  /** The operator's bootstrap token, with the admin role: an idempotent upsert every frontend runs at start-up. */
  async ensureBootstrap(tokenHash: string): Promise<void> {
    await this.manager.query(
      `INSERT INTO admin_tokens (name, role, token_hash, created_by) VALUES ('bootstrap', $1, $2, 'system')
       ON CONFLICT (token_hash) DO UPDATE SET role = excluded.role`,
      [Role.Admin, tokenHash],
    );
  }

  async create(token: Pick<AdminTokenEntity, 'name' | 'role' | 'tokenHash' | 'createdBy'>): Promise<AdminTokenEntity> {
    return this.manager.getRepository(AdminTokenEntity).save({ ...token });
  }

  /** Oldest first, by (created_at, id) after `after`; each with its created_at in microseconds, for the cursor. */
  async page(after: TimeKey | null, limit: number): Promise<{ token: AdminTokenEntity; createdMicros: string }[]> {
    const query = this.manager
      .getRepository(AdminTokenEntity)
      .createQueryBuilder('token')
      .addSelect(micros('token.created_at'), 'created_micros');
    if (after) {
      query.where(`(token.created_at, token.id) > (${fromMicros(':micros')}, :id::uuid)`, { micros: after.micros, id: after.id });
    }
    const { entities, raw } = await query
      .orderBy('token.created_at')
      .addOrderBy('token.id')
      .take(limit)
      .getRawAndEntities<{ created_micros: string }>();
    return entities.map((token, index) => ({ token, createdMicros: raw[index].created_micros }));
  }

  async remove(id: string): Promise<void> {
    await this.manager.getRepository(AdminTokenEntity).delete(id);
  }
}
