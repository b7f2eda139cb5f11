import { PhoneUserEntity } from '../entities';
import { QueryLayer } from './query-layer';

/** The built-in phone directory's users (`phone_users`). */
export class PhoneUsersRepository extends QueryLayer {
  /** The user's password hash; null when there is no such user (user ids compare case-insensitively: citext). */
  async passwordHash(userId: string): Promise<string | null> {
    const rows = await this.manager.query<{ password_hash: string }[]>('SELECT password_hash FROM phone_users WHERE user_id = $1', [userId]);
    return rows.length === 0 ? null : rows[0].password_hash;
  }

  async create(userId: string, passwordHash: string): Promise<PhoneUserEntity> {
    return this.manager.getRepository(PhoneUserEntity).save({ userId, passwordHash });
  }

  /** In user id order, after `after`, at most `limit`. */
  async page(after: string | null, limit: number): Promise<PhoneUserEntity[]> {
    const query = this.manager.getRepository(PhoneUserEntity).createQueryBuilder('user');
    if (after !== null) {
      query.where('user.user_id > :after', { after });
    }
    return query.orderBy('user.user_id').take(limit).getMany();
  }

  /** The user, locked until the transaction ends. */
  async lock(id: string): Promise<PhoneUserEntity | null> {
    return this.manager.getRepository(PhoneUserEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async remove(id: string): Promise<void> {
    await this.manager.getRepository(PhoneUserEntity).delete(id);
  }
}
