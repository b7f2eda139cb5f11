import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { Redis } from 'ioredis';

/**
 * Pool-wide throttling of wrong external sign-ins, in Redis: failures are counted per user and per
 * client address over a fixed window; once either count reaches UCU_AUTH_FAILURE_LIMIT, further
 * tries are refused until its window ends, whichever node they reach. A success clears the user's
 * count (not the address's: one address guessing many users stays throttled).
 */
@Injectable()
export class SignInThrottle {
  private readonly limit: number;
  private readonly windowSeconds: number;

  constructor(
    @Inject(CONFIG) config: Config,
    @Inject(Redis) private readonly redis: Redis,
  ) {
    this.limit = config.UCU_AUTH_FAILURE_LIMIT;
    this.windowSeconds = config.UCU_AUTH_FAILURE_WINDOW_SECONDS;
  }

  /** Seconds until tries are allowed again, or 0 when they are allowed now. */
  async retryAfter(userId: string, address: string): Promise<number> {
    const keys = keysOf(userId, address);
    const results = await this.redis.multi().mget(...keys).ttl(keys[0]).ttl(keys[1]).exec();
    const [counts, userTtl, addressTtl] = (results ?? []).map(([error, value]) => {
      if (error) throw error;
      return value;
    }) as [(string | null)[], number, number];
    const waits = [userTtl, addressTtl].filter((ttl, index) => Number(counts[index] ?? 0) >= this.limit);
    return waits.length === 0 ? 0 : Math.max(1, ...waits);
  }

  async failed(userId: string, address: string): Promise<void> {
    const multi = this.redis.multi();
    for (const key of keysOf(userId, address)) {
      multi.incr(key).expire(key, this.windowSeconds, 'NX');
    }
    await multi.exec();
  }

  async succeeded(userId: string, address: string): Promise<void> {
    await this.redis.del(keysOf(userId, address)[0]);
  }
}

function keysOf(userId: string, address: string): [string, string] {
  return [`ucu:sign-in-failures:user:${userId.toLowerCase()}`, `ucu:sign-in-failures:address:${address}`];
}
