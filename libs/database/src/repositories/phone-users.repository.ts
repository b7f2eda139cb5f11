import { QueryLayer } from './query-layer';

/** The built-in phone directory's users (`phone_users`). */
export class PhoneUsersRepository extends QueryLayer {
  /** The user's password hash; null when there is no such user (user ids compare case-insensitively: citext). */
  async passwordHash(userId: string): Promise<string | null> {
    const rows = await this.manager.query<{ password_hash: string }[]>('SELECT password_hash FROM phone_users WHERE user_id = $1', [userId]);
    return rows.length === 0 ? null : rows[0].password_hash;
  }
}
