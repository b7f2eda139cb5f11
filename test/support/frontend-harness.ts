import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Config } from '@ucupdates/config';
import { createDataSource } from '@ucupdates/database';
import { createLogger, Metrics } from '@ucupdates/observability';
import { MinioObjectStorage } from '@ucupdates/storage';
import { createFrontend, type Frontend } from '../../apps/frontend/src/frontend';

/** Applies the migrations and makes the bucket, as the migration step does before the apps start. */
export async function prepareServices(config: Config): Promise<void> {
  const dataSource = await createDataSource(config.DATABASE_URL).initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();
  await new MinioObjectStorage({
    endpoint: config.S3_ENDPOINT,
    accessKey: config.S3_ACCESS_KEY,
    secretKey: config.S3_SECRET_KEY,
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
  }).ensureBucket();
}

/** A frontend in this process, both listeners ready for supertest (not bound to ports). */
export async function startTestFrontend(config: Config): Promise<Frontend> {
  const logger = createLogger({ app: 'frontend', nodeId: config.UCU_NODE_ID, level: config.UCU_LOG_LEVEL });
  const frontend = await createFrontend(config, logger, new Metrics(config.UCU_NODE_ID, 'frontend'));
  await Promise.all([ready(frontend.internal), ready(frontend.external)]);
  return frontend;
}

async function ready(app: NestFastifyApplication): Promise<void> {
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
}
