import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PhoneUsersRepository } from '@ucupdates/database';
import { PhoneDirectory, verifyPassword } from '@ucupdates/phone-directory';

/** How long a successful sign-in is remembered, so a phone checking again costs no slow hash. */
const REMEMBER_MS = 60_000;
const MAX_REMEMBERED = 10_000;

/**
 * The built-in phone directory: the `phone_users` table the admin API fills, passwords as scrypt
 * hashes. A successful check is remembered for a minute by a hash of the credentials (never the
 * password itself), so a deleted user or a changed password takes effect within a minute.
 */
@Injectable()
export class BuiltInPhoneDirectory extends PhoneDirectory {
  private readonly remembered = new Map<string, number>();

  constructor(@Inject(PhoneUsersRepository) private readonly users: PhoneUsersRepository) {
    super();
  }

  async authenticate(userId: string, password: string): Promise<boolean> {
    const key = createHash('sha256').update(JSON.stringify([userId.toLowerCase(), password])).digest('hex');
    const until = this.remembered.get(key);
    if (until !== undefined && until > Date.now()) return true;
    this.remembered.delete(key);
    const passwordHash = await this.users.passwordHash(userId);
    if (passwordHash === null || !(await verifyPassword(password, passwordHash))) return false;
    if (this.remembered.size >= MAX_REMEMBERED) this.remembered.clear();
    this.remembered.set(key, Date.now() + REMEMBER_MS);
    return true;
  }
}
