import 'reflect-metadata';
import { loadConfigOrExit } from '@ucupdates/config';
import { createLogger, Metrics } from '@ucupdates/observability';
import { createFrontend } from './frontend';

/** SIGTERM or SIGINT closes the listeners, leaves the pool and closes the connections. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ app: 'frontend', nodeId: config.UCU_NODE_ID, level: config.UCU_LOG_LEVEL });
  const frontend = await createFrontend(config, logger, new Metrics(config.UCU_NODE_ID, 'frontend'));
  await frontend.internal.listen(config.UCU_INTERNAL_PORT, config.UCU_LISTEN_HOST);
  await frontend.external.listen(config.UCU_EXTERNAL_PORT, config.UCU_LISTEN_HOST);
  logger.info(
    { internalPort: config.UCU_INTERNAL_PORT, externalPort: config.UCU_EXTERNAL_PORT },
    `frontend of node ${config.UCU_NODE_ID} is listening`,
  );

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.info(`${signal}: stopping`);
    const deadline = setTimeout(() => {
      logger.error(`did not stop within ${config.UCU_SHUTDOWN_TIMEOUT_MS} ms; exiting`);
      process.exit(1);
    }, config.UCU_SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    await frontend.close();
    logger.info('stopped');
    logger.flush();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`frontend failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
