import { type DynamicModule, Global, Inject, Module } from '@nestjs/common';
import type { Config } from './config.schema';

export const CONFIG = Symbol('ucupdates.config');

/** Injects the parsed configuration: `constructor(@InjectConfig() private readonly config: Config)`. */
export const InjectConfig = (): ParameterDecorator => Inject(CONFIG);

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: Config): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: CONFIG, useValue: config }], exports: [CONFIG] };
  }
}
