import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { PoolStateRepository, type RuleFileRow } from '@ucupdates/database';
import { CHANGES_CHANNEL, createRedis, POOL_STATE_APPLIED_KEY, POOL_STATE_VERSION_KEY } from '@ucupdates/redis';
import { Redis } from 'ioredis';
import { type CachedRule, PoolState } from './pool-state';

/**
 * Keeps this frontend's PoolState current: loaded at start-up, reloaded when a change is announced
 * on Redis (within a second), and every UCU_CACHE_REFRESH_INTERVAL_MS in case a message was lost
 * (Redis restarted, the subscriber was reconnecting). Reloads never overlap; one announced during a
 * reload causes one more.
 *
 * Started and stopped by the frontend's core module, not by Nest hooks of its own: the HTTP
 * applications share this instance, and would run such hooks once each.
 */
@Injectable()
export class PoolStateService {
  private readonly logger = new Logger(PoolStateService.name);
  private state: PoolState | null = null;
  private reloading: Promise<void> | null = null;
  private again = false;
  private subscriber: Redis | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(PoolStateRepository) private readonly repository: PoolStateRepository,
    @Inject(Redis) private readonly redis: Redis,
  ) {}

  /** The state in force; null until the first load (the node is not ready before). */
  get current(): PoolState | null {
    return this.state;
  }

  async start(): Promise<void> {
    this.subscriber = createRedis(this.config.REDIS_URL, `ucupdates:${this.config.UCU_NODE_ID}:changes`);
    this.subscriber.on('message', () => void this.reload());
    // Also reload after a reconnect: messages sent while it was away are lost.
    this.subscriber.on('ready', () => void this.reload());
    await this.subscriber.subscribe(CHANGES_CHANNEL);
    await this.reload();
    this.timer = setInterval(() => void this.reload(), this.config.UCU_CACHE_REFRESH_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
    }
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  reload(): Promise<void> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.again = false;
        try {
          // The version read before the load is one the load includes: confirmed once it is in force.
          const version = await this.redis.get(POOL_STATE_VERSION_KEY).catch(() => null);
          this.state = await this.load();
          if (version !== null) await this.confirm(version);
        } catch (error) {
          // The last good state stays in force: devices keep getting answers while Postgres is away.
          this.logger.warn(`could not reload the rules, test devices and configuration: ${(error as Error).message}`);
        }
      } while (this.again);
      this.reloading = null;
    })();
    return this.reloading;
  }

  /** Tells the node making a change that this node serves its state (architecture.md §3). */
  private async confirm(version: string): Promise<void> {
    await this.redis.hset(POOL_STATE_APPLIED_KEY, this.config.UCU_NODE_ID, version).catch((error: Error) => {
      this.logger.debug(`could not confirm pool state version ${version}: ${error.message}`);
    });
  }

  private async load(): Promise<PoolState> {
    const { ruleFiles, testDevices, configurations } = await this.repository.snapshot();
    return new PoolState(rulesOf(ruleFiles, this.config.UCU_RETIRED_VERSION_GRACE_SECONDS), testDevices, configurations, new Date());
  }
}

function rulesOf(rows: RuleFileRow[], graceSeconds: number): CachedRule[] {
  const rules = new Map<string, CachedRule>();
  for (const row of rows) {
    let rule = rules.get(row.id);
    if (!rule) {
      rule = {
        id: row.id,
        deviceType: row.deviceType,
        brand: row.brand,
        model: row.model,
        revision: row.revision,
        locale: row.locale,
        updateType: row.updateType,
        approvedVersion: row.approvedVersion,
        pendingVersion: row.pendingVersion,
        rolledBackVersion: row.rolledBackVersion,
        restoreVersion: row.restoreVersion,
        changedAt: new Date(row.updatedAt).getTime(),
        files: {},
        servedUntil: {},
      };
      rules.set(row.id, rule);
    }
    if (row.version !== null && row.retiredAt !== null) {
      rule.servedUntil[row.version] = new Date(row.retiredAt).getTime() + graceSeconds * 1000;
    }
    if (row.version !== null && row.name !== null) {
      (rule.files[row.version] ??= []).push({
        name: row.name,
        role: row.role!,
        sha256: row.sha256!,
        sha1: row.sha1,
        md5: row.md5,
        size: Number(row.size),
      });
    }
  }
  return [...rules.values()];
}
