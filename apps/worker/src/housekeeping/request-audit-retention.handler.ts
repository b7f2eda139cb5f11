import { Logger } from '@nestjs/common';
import type { RequestAuditRepository } from '@ucupdates/database';

const BATCH = 10_000;

/**
 * Deletes request audit rows older than the retention period, in batches so no single
 * statement holds locks for long on a big table (the audit of a busy pool grows by millions of
 * rows a day). Returns how many rows went.
 */
export async function removeExpiredRequestAudit(audit: RequestAuditRepository, retentionDays: number): Promise<number> {
  const logger = new Logger('RequestAuditRetention');
  let total = 0;
  for (;;) {
    const deleted = await audit.removeOlderThan(retentionDays, BATCH);
    total += deleted;
    if (deleted < BATCH) {
      break;
    }
  }
  if (total > 0) {
    logger.log(`deleted ${total} request audit rows older than ${retentionDays} days`);
  }
  return total;
}
