import 'reflect-metadata';
import { loadConfigOrExit } from '@ucupdates/config';
import { createDataSource } from '@ucupdates/database';
import { createLogger } from '@ucupdates/observability';
import { MinioObjectStorage } from '@ucupdates/storage';

/**
 * The one-shot step before the apps start (docker-compose's `migrate`, the local pool runner):
 * applies pending migrations and creates the bucket. Safe to run again; exits 0 when all is current.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ app: 'migrate', nodeId: config.UCU_NODE_ID, level: config.UCU_LOG_LEVEL });
  const dataSource = await createDataSource(config.DATABASE_URL, 'ucupdates-migrate').initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    logger.info({ applied: applied.map((migration) => migration.name) }, `${applied.length} migration(s) applied`);
  } finally {
    await dataSource.destroy();
  }
  const storage = new MinioObjectStorage({
    endpoint: config.S3_ENDPOINT,
    accessKey: config.S3_ACCESS_KEY,
    secretKey: config.S3_SECRET_KEY,
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
  });
  await storage.ensureBucket();
  logger.info(`bucket ${config.S3_BUCKET} is in place`);
}

main().catch((error: unknown) => {
  process.stderr.write(`migration failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
