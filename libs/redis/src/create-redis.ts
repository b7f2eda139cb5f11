import { Logger } from '@nestjs/common';
import { parseRedisUrl, type RedisAddress } from '@ucupdates/config';
import { Redis, type RedisOptions } from 'ioredis';

/** How long a connection that ended without being closed waits before it connects again. */
const REVIVE_AFTER_MS = 1_000;

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
    return followOutages(new Redis(target.url, common));
  }
  return followOutages(new Redis({
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
  }));
}

const logger = new Logger('Redis');

/**
 * Keeps a connection, and every duplicate made of it (BullMQ's worker connections), connected
 * until the process closes it. ioredis ends a connection for good — status `end`, every command
 * "Connection is closed." — when it is told to disconnect while it has no socket: a reconnection
 * asking the Sentinels for the primary is cancelled instead of retried, and its retry strategy is
 * never asked (redis/ioredis' SentinelConnector; taskforcesh/bullmq#4378). A disconnect that asks
 * for a reconnection (`disconnect(true)`: ioredis' own on READONLY or a failed ready check) is
 * therefore dropped while the connection is connecting — the connection under way already asks
 * the Sentinels; and a connection that ends although nothing closed it (quit, or a disconnect
 * that is not a reconnection) connects again after REVIVE_AFTER_MS, saying so.
 */
function followOutages(client: Redis): Redis {
  let closed = false;
  const quit = client.quit.bind(client);
  client.quit = ((...args: Parameters<Redis['quit']>) => {
    closed = true;
    return quit(...args);
  }) as Redis['quit'];
  const disconnect = client.disconnect.bind(client);
  client.disconnect = (reconnect = false) => {
    if (!reconnect) {
      closed = true;
    } else if (client.status === 'connecting') {
      logger.warn(`${client.options.connectionName}: a reconnection is already under way; not cancelling it`);
      return;
    }
    disconnect(reconnect);
  };
  // Closed and connected again by its owner (BullMQ resets its blocking connection so): followed again.
  client.on('ready', () => (closed = false));
  client.on('end', () => {
    if (closed) return;
    logger.warn(`${client.options.connectionName}: the connection ended although nothing closed it; connecting again`);
    setTimeout(() => {
      if (!closed && client.status === 'end') client.connect().catch(() => undefined);
    }, REVIVE_AFTER_MS).unref();
  });
  const duplicate = client.duplicate.bind(client);
  client.duplicate = (override?: Partial<RedisOptions>) => followOutages(duplicate(override));
  return client;
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
