import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Config } from '@ucupdates/config';
import { type Metrics, PinoNestLogger } from '@ucupdates/observability';
import type { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';
import { FrontendCoreModule } from './core.module';
import { createHttpApp } from './http/create-http-app';
import { ExternalListenerModule, InternalListenerModule } from './http/listeners';
import { registerUploadParsers } from './admin/updates/upload-parsers';
import { serveOpenApi } from './docs/openapi';
import { serveControlPanel } from './control-panel/serve-control-panel';

export interface Frontend {
  core: INestApplicationContext;
  internal: NestFastifyApplication;
  external: NestFastifyApplication;
  /** Closes the listeners (requests in flight finish), then the core (leaves the pool, closes connections). */
  close(): Promise<void>;
}

/**
 * A frontend: one core context (connections, caches, pool membership) and two HTTP applications
 * on it, internal and external (phone-protocol.md). Not yet listening.
 */
export async function createFrontend(config: Config, logger: Logger, metrics: Metrics): Promise<Frontend> {
  const core = await NestFactory.createApplicationContext(FrontendCoreModule.forRoot(config, logger, metrics), {
    logger: new PinoNestLogger(logger),
  });
  await core.init();
  const internal = await createHttpApp(InternalListenerModule.on(core), 'internal', config, logger, metrics);
  await registerUploadParsers(internal, config.UCU_MAX_UPLOAD_BYTES);
  serveOpenApi(internal);
  serveControlPanel(internal);
  const external = await createHttpApp(ExternalListenerModule.on(core), 'external', config, logger, metrics);
  return {
    core,
    internal,
    external,
    close: async () => {
      await Promise.all([internal.close(), external.close()]);
      await core.close();
    },
  };
}
