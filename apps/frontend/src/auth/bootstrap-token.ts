import { Logger } from '@nestjs/common';
import type { AdminTokensRepository } from '@ucupdates/database';
import { hashToken } from './token-hash';

/**
 * Makes sure the operator's bootstrap token exists with the admin role (admin-api.md). Every
 * frontend does this at start-up, so it is an idempotent upsert. The value is never logged.
 */
export async function ensureBootstrapToken(tokens: AdminTokensRepository, token: string | undefined): Promise<void> {
  if (!token) {
    return;
  }
  await tokens.ensureBootstrap(hashToken(token));
  new Logger('BootstrapToken').log('bootstrap admin token is in place');
}
