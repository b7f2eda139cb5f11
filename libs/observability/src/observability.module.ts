import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { Metrics } from './metrics';

export const PINO_LOGGER = Symbol('ucupdates.pino');

/** The process's pino logger and Prometheus metrics, made once in main() and shared. */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(logger: Logger, metrics: Metrics): DynamicModule {
    return {
      module: ObservabilityModule,
      providers: [
        { provide: PINO_LOGGER, useValue: logger },
        { provide: Metrics, useValue: metrics },
      ],
      exports: [PINO_LOGGER, Metrics],
    };
  }
}
