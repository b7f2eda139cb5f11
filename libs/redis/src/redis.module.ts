import { type DynamicModule, Global, Inject, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { Redis } from 'ioredis';
import { createRedis, readEvictionPolicy } from './create-redis';

export interface RedisModuleOptions {
  /**
   * Fail a command not answered within this time (also one queued while Redis is away), instead of
   * waiting for Redis to return. For processes that answer requests: a frontend must not hang a
   * phone or an admin while Redis is down. Workers leave it unset: their work waits for Redis.
   */
  commandTimeoutMs?: number;
}

/** The process's shared Redis connection for plain commands (queue workers open their own). */
@Global()
@Module({})
export class RedisModule implements OnApplicationBootstrap, OnApplicationShutdown {
  static forRoot(options: RedisModuleOptions = {}): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        {
          provide: Redis,
          inject: [CONFIG],
          useFactory: (config: Config): Redis =>
            createRedis(config.REDIS_URL, `ucupdates:${config.UCU_NODE_ID}`, { commandTimeout: options.commandTimeoutMs }),
        },
      ],
      exports: [Redis],
    };
  }

  private readonly logger = new Logger(RedisModule.name);

  constructor(@Inject(Redis) private readonly redis: Redis) {}

  async onApplicationBootstrap(): Promise<void> {
    const policy = await readEvictionPolicy(this.redis);
    if (policy === null) {
      this.logger.warn('could not read Redis maxmemory-policy: make sure it is "noeviction", or queued jobs can vanish');
    } else if (policy !== 'noeviction') {
      this.logger.error(
        `Redis maxmemory-policy is "${policy}": set it to "noeviction", or Redis may evict queued jobs under memory pressure`,
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
