import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

const BATCH = 10_000;

/**
 * Deletes request audit rows older than the retention period, in batches so no single
 * statement holds locks for long on a big table (the audit of a busy pool grows by millions of
 * rows a day). Returns how many rows went.
 */
export async function deleteExpiredRequestAudit(dataSource: DataSource, retentionDays: number): Promise<number> {
  const logger = new Logger('RequestAuditRetention');
  let total = 0;
  for (;;) {
    const [, deleted] = (await dataSource.query(
      `DELETE FROM request_audit
        WHERE id IN (SELECT id FROM request_audit
                      WHERE at < now() - make_interval(days => $1)
                      ORDER BY at LIMIT $2)`,
      [retentionDays, BATCH],
    )) as [unknown, number];
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
