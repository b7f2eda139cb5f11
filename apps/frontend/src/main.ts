import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@ucupdates/config';
import { createLogger, Metrics, PinoNestLogger } from '@ucupdates/observability';
import { FrontendCoreModule } from './core.module';
import { createHttpApp } from './http/create-http-app';
import { ExternalListenerModule, InternalListenerModule } from './http/listeners';

/**
 * A frontend: one core context (connections, caches, pool membership) and two HTTP listeners on
 * it, internal and external (phone-protocol.md). SIGTERM or SIGINT closes the listeners (requests
 * in flight finish), leaves the pool and closes the connections.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ app: 'frontend', nodeId: config.UCU_NODE_ID, level: config.UCU_LOG_LEVEL });
  const metrics = new Metrics(config.UCU_NODE_ID, 'frontend');

  const core = await NestFactory.createApplicationContext(FrontendCoreModule.forRoot(config, logger, metrics), {
    logger: new PinoNestLogger(logger),
  });
  await core.init();
  const internal = await createHttpApp(InternalListenerModule.on(core), 'internal', config, logger, metrics);
  const external = await createHttpApp(ExternalListenerModule.on(core), 'external', config, logger, metrics);
  await internal.listen(config.UCU_INTERNAL_PORT, config.UCU_LISTEN_HOST);
  await external.listen(config.UCU_EXTERNAL_PORT, config.UCU_LISTEN_HOST);
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
    await Promise.all([internal.close(), external.close()]);
    await core.close();
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
