import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@ucupdates/config';
import { createLogger, Metrics, PinoNestLogger } from '@ucupdates/observability';
import { exitOnSignal } from '@ucupdates/pool';
import { exitOnSentinelMistake } from '@ucupdates/redis';
import { WorkerModule } from './worker.module';

/**
 * A worker: a Nest application context (no HTTP) bound to its node id. SIGTERM or SIGINT stops
 * taking jobs, lets running ones finish within UCU_SHUTDOWN_TIMEOUT_MS and releases the rest.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  await exitOnSentinelMistake(config.REDIS_URL);
  const logger = createLogger({ app: 'worker', nodeId: config.UCU_NODE_ID, level: config.UCU_LOG_LEVEL });
  const metrics = new Metrics(config.UCU_NODE_ID, 'worker');
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, logger, metrics), {
    logger: new PinoNestLogger(logger),
  });
  await app.init();
  logger.info(`worker of node ${config.UCU_NODE_ID} is running`);

  // The runner's own deadline releases jobs; this one only guards against a hang elsewhere.
  exitOnSignal(logger, config.UCU_SHUTDOWN_TIMEOUT_MS + 5_000, () => app.close());
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
