import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { Redis } from 'ioredis';

/**
 * Pool-wide throttling of wrong external sign-ins, in Redis: failures are counted per user and per
 * client address over a fixed window; once either count reaches UCU_AUTH_FAILURE_LIMIT, further
 * tries are refused until its window ends, whichever node they reach. A success clears the user's
 * count (not the address's: one address guessing many users stays throttled). The control panel's
 * directory sign-in counts the same way in keys of its own (PanelSignInThrottle).
 *
 * While Redis is away the same counting goes on in this node's memory, so signed-in devices keep
 * their answers and guessing stays throttled, per node instead of pool-wide, until Redis is back.
 */
@Injectable()
export class SignInThrottle {
  private readonly logger = new Logger(this.constructor.name);
  /** Where the counts are kept in Redis: `<prefix>user:<id>`, `<prefix>address:<address>`. */
  protected readonly keyPrefix: string = 'ucu:sign-in-failures:';
  private readonly limit: number;
  private readonly windowSeconds: number;
  private readonly local = new Map<string, { count: number; until: number }>();
  private redisAway = false;

  constructor(
    @Inject(CONFIG) config: Config,
    @Inject(Redis) private readonly redis: Redis,
  ) {
    this.limit = config.UCU_AUTH_FAILURE_LIMIT;
    this.windowSeconds = config.UCU_AUTH_FAILURE_WINDOW_SECONDS;
  }

  /** Seconds until tries are allowed again, or 0 when they are allowed now. */
  async retryAfter(userId: string, address: string): Promise<number> {
    const keys = this.keysOf(userId, address);
    const counted = await this.withFallback(
      async () => {
        const results = await this.redis.multi().mget(...keys).ttl(keys[0]).ttl(keys[1]).exec();
        const [counts, userTtl, addressTtl] = (results ?? []).map(([error, value]) => {
          if (error) throw error;
          return value;
        }) as [(string | null)[], number, number];
        return keys.map((_, index) => ({ count: Number(counts[index] ?? 0), seconds: [userTtl, addressTtl][index] }));
      },
      () => keys.map((key) => this.localCount(key)),
    );
    const waits = counted.filter(({ count }) => count >= this.limit).map(({ seconds }) => seconds);
    return waits.length === 0 ? 0 : Math.max(1, ...waits);
  }

  async failed(userId: string, address: string): Promise<void> {
    const keys = this.keysOf(userId, address);
    await this.withFallback(
      async () => {
        const multi = this.redis.multi();
        for (const key of keys) multi.incr(key).expire(key, this.windowSeconds, 'NX');
        await multi.exec();
      },
      () => {
        for (const key of keys) {
          const entry = this.localCount(key);
          this.local.set(key, { count: entry.count + 1, until: Date.now() + entry.seconds * 1000 });
        }
      },
    );
  }

  async succeeded(userId: string, address: string): Promise<void> {
    const [userKey] = this.keysOf(userId, address);
    this.local.delete(userKey);
    await this.withFallback(
      async () => void (await this.redis.del(userKey)),
      () => undefined,
    );
  }

  private keysOf(userId: string, address: string): [string, string] {
    return [`${this.keyPrefix}user:${userId.toLowerCase()}`, `${this.keyPrefix}address:${address}`];
  }

  /** A node-local count and the seconds left in its window (a new window when there is none). */
  private localCount(key: string): { count: number; seconds: number } {
    const entry = this.local.get(key);
    const now = Date.now();
    if (!entry || entry.until <= now) return { count: 0, seconds: this.windowSeconds };
    return { count: entry.count, seconds: Math.ceil((entry.until - now) / 1000) };
  }

  private async withFallback<T>(pooled: () => Promise<T>, local: () => T): Promise<T> {
    try {
      // Known to be away: no device waits for a command to time out.
      if (this.redis.status !== 'ready') throw new Error(`the connection is ${this.redis.status}`);
      const result = await pooled();
      if (this.redisAway) {
        this.redisAway = false;
        this.logger.log('sign-in failures are counted pool-wide again');
      }
      return result;
    } catch (error) {
      if (!this.redisAway) {
        this.redisAway = true;
        this.logger.warn(`Redis is away (${(error as Error).message}): counting sign-in failures on this node until it is back`);
      }
      if (this.local.size > 100_000) this.local.clear();
      return local();
    }
  }
}
