import type { DynamicModule, INestApplicationContext, InjectionToken } from '@nestjs/common';

/**
 * Lends instances of the frontend's core context to an HTTP application, so both listeners use
 * the same connections and caches. The core context owns their lifecycle: an instance lent here
 * must not implement Nest's lifecycle hooks, or each HTTP application would run them again.
 */
export class SharedCoreModule {
  static from(core: INestApplicationContext, tokens: InjectionToken[]): DynamicModule {
    return {
      module: SharedCoreModule,
      global: true,
      providers: tokens.map((token) => ({ provide: token, useValue: core.get(token, { strict: false }) })),
      exports: tokens,
    };
  }
}
