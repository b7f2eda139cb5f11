import 'reflect-metadata';
import { loadConfigOrExit } from '@ucupdates/config';
import { createLogger, Metrics } from '@ucupdates/observability';
import { exitOnSignal } from '@ucupdates/pool';
import { exitOnSentinelMistake } from '@ucupdates/redis';
import { createFrontend } from './frontend';

/** SIGTERM or SIGINT closes the listeners, leaves the pool and closes the connections. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  await exitOnSentinelMistake(config.REDIS_URL);
  const logger = createLogger({ app: 'frontend', nodeId: config.UCU_NODE_ID, level: config.UCU_LOG_LEVEL });
  const frontend = await createFrontend(config, logger, new Metrics(config.UCU_NODE_ID, 'frontend'));
  await frontend.internal.listen(config.UCU_INTERNAL_PORT, config.UCU_LISTEN_HOST);
  await frontend.external.listen(config.UCU_EXTERNAL_PORT, config.UCU_LISTEN_HOST);
  logger.info(
    { internalPort: config.UCU_INTERNAL_PORT, externalPort: config.UCU_EXTERNAL_PORT },
    `frontend of node ${config.UCU_NODE_ID} is listening`,
  );

  exitOnSignal(logger, config.UCU_SHUTDOWN_TIMEOUT_MS, () => frontend.close());
}

main().catch((error: unknown) => {
  process.stderr.write(`frontend failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
