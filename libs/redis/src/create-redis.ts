import { parseRedisUrl, type RedisAddress } from '@ucupdates/config';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection for ucupdates, to one server or to the primary that Sentinels name
 * (REDIS_URL, libs/config/src/redis-address.ts). `maxRetriesPerRequest: null` is what BullMQ
 * requires of the connections its workers block on; ioredis then keeps commands queued while Redis
 * is away and reconnects with a capped backoff, so a Redis restart costs a pause, not a crash.
 * Behind Sentinels every reconnection asks them for the primary again: a failover is a restart to
 * the connection. A connection left on a primary that was demoted (a failover the operator asked
 * for) learns it from its first write, READONLY, and reconnects, sending that command again.
 * ioredis' `failoverDetector` is not used: when the primary dies, its announcement of the new one
 * can land while the connection is already asking the Sentinels, and it then cancels that
 * reconnection for good (status `end`), which left BullMQ workers taking no job after a failover.
 * BullMQ's duplicates of a connection (its blocking clients) keep these options.
 */
export function createRedis(address: string | RedisAddress, connectionName: string, options: RedisOptions = {}): Redis {
  const target = typeof address === 'string' ? parseRedisUrl(address) : address;
  const common: RedisOptions = {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectionName,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    ...options,
  };
  if (target.kind === 'direct') {
    return new Redis(target.url, common);
  }
  return new Redis({
    ...common,
    sentinels: target.sentinels,
    name: target.name,
    role: 'master',
    db: target.db,
    username: target.username,
    password: target.password,
    sentinelPassword: target.sentinelPassword,
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
    // While every Sentinel is away, ask again at the same capped pace as a plain reconnection.
    sentinelRetryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    ...(target.tls ? { tls: {}, enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
  });
}

/**
 * BullMQ loses jobs silently if Redis evicts keys under memory pressure. Returns the policy, or
 * null when the server does not say (managed services may refuse CONFIG).
 */
export async function readEvictionPolicy(redis: Redis): Promise<string | null> {
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    return reply[1] ?? null;
  } catch {
    return null;
  }
}

/** The pub/sub channel on which every committed administrative change is announced. */
export const CHANGES_CHANNEL = 'ucupdates:changes';

export type ChangeKind = 'rules' | 'test-devices' | 'configuration';

/**
 * Tells every frontend that something it keeps in memory changed, after the change committed.
 * A lost message costs only time: frontends also reload periodically.
 */
export async function announceChange(redis: Redis, kind: ChangeKind): Promise<number> {
  if (redis.options.commandTimeout !== undefined && redis.status !== 'ready') {
    // A connection that fails fast and is known to be down: say so now rather than time out.
    throw new Error(`Connection is closed: Redis is away (${redis.status})`);
  }
  const version = await redis.incr(POOL_STATE_VERSION_KEY);
  await redis.publish(CHANGES_CHANNEL, kind);
  return version;
}

/**
 * The pool state's version: raised after every committed change (announceChange). A frontend
 * reads it before each reload and, once the reload has loaded, confirms in POOL_STATE_APPLIED_KEY
 * (a hash of node id → version) that it serves at least that version: the change that raised it
 * had committed before the reload read Postgres (architecture.md §3, read-your-writes).
 */
export const POOL_STATE_VERSION_KEY = 'ucupdates:pool-state:version';
export const POOL_STATE_APPLIED_KEY = 'ucupdates:pool-state:applied';
