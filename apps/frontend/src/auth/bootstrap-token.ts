import { Logger } from '@nestjs/common';
import { Role } from '@ucupdates/database';
import type { DataSource } from 'typeorm';
import { hashToken } from './token-hash';

/**
 * Makes sure the operator's bootstrap token exists with the admin role (admin-api.md). Every
 * frontend does this at start-up, so it is an idempotent upsert. The value is never logged.
 */
export async function ensureBootstrapToken(dataSource: DataSource, token: string | undefined): Promise<void> {
  if (!token) {
    return;
  }
  await dataSource.query(
    `INSERT INTO admin_tokens (name, role, token_hash, created_by) VALUES ('bootstrap', $1, $2, 'system')
     ON CONFLICT (token_hash) DO UPDATE SET role = excluded.role`,
    [Role.Admin, hashToken(token)],
  );
  new Logger('BootstrapToken').log('bootstrap admin token is in place');
}
