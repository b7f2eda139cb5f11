import { Global, Inject, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { Redis } from 'ioredis';
import { createRedis, readEvictionPolicy } from './create-redis';

/** The process's shared Redis connection for plain commands (queues open their own). */
@Global()
@Module({
  providers: [
    {
      provide: Redis,
      inject: [CONFIG],
      useFactory: (config: Config): Redis => createRedis(config.REDIS_URL, `ucupdates:${config.UCU_NODE_ID}`),
    },
  ],
  exports: [Redis],
})
export class RedisModule implements OnApplicationBootstrap, OnApplicationShutdown {
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
