import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import type { DeviceUpdateConfiguration } from '@ucupdates/device-config';
import { CHANGES_CHANNEL, createRedis } from '@ucupdates/redis';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { type CachedRule, type CachedTestDevice, PoolState } from './pool-state';

interface RuleFileRow {
  id: string;
  device_type: string;
  brand: string;
  model: string;
  revision: string;
  locale: string;
  update_type: string;
  approved_version: string | null;
  pending_version: string | null;
  rolled_back_version: string | null;
  restore_version: string | null;
  version: string | null;
  name: string | null;
  role: string | null;
  sha256: string | null;
  size: string | null;
}

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
    @Inject(DataSource) private readonly dataSource: DataSource,
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
          this.state = await this.load();
        } catch (error) {
          // The last good state stays in force: phones keep getting answers while Postgres is away.
          this.logger.warn(`could not reload the rules, test devices and configuration: ${(error as Error).message}`);
        }
      } while (this.again);
      this.reloading = null;
    })();
    return this.reloading;
  }

  private async load(): Promise<PoolState> {
    // One snapshot for the three reads, so they agree with each other.
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const rows = await manager.query<RuleFileRow[]>(
        `SELECT r.id, r.device_type, r.brand, r.model, r.revision, r.locale, r.update_type,
                r.approved_version, r.pending_version, r.rolled_back_version, r.restore_version,
                v.version, f.name, f.role, f.sha256, fi.size
           FROM rules r
           LEFT JOIN update_versions v ON v.rule_id = r.id AND v.version IN (r.approved_version, r.pending_version, r.restore_version)
           LEFT JOIN update_version_files f ON f.update_version_id = v.id
           LEFT JOIN files fi ON fi.sha256 = f.sha256
          ORDER BY r.id, v.version, f.name`,
      );
      const testDevices = await manager.query<CachedTestDevice[]>(
        `SELECT scope, identifier_type AS "identifierType", identifier FROM test_devices ORDER BY scope, identifier`,
      );
      const configurations = await manager.query<DeviceUpdateConfiguration[]>(
        `SELECT scope, log_clean_up_interval_seconds AS "logCleanUpIntervalSeconds",
                log_flush_interval_seconds AS "logFlushIntervalSeconds", max_log_cache_limit::float8 AS "maxLogCacheLimit",
                max_log_file_size::float8 AS "maxLogFileSize", log_clean_up_time_of_day AS "logCleanUpTimeOfDay",
                valid_log_file_types AS "validLogFileTypes", valid_log_file_extensions AS "validLogFileExtensions"
           FROM device_update_configurations ORDER BY scope`,
      );
      return new PoolState(rulesOf(rows), testDevices, configurations, new Date());
    });
  }
}

function rulesOf(rows: RuleFileRow[]): CachedRule[] {
  const rules = new Map<string, CachedRule>();
  for (const row of rows) {
    let rule = rules.get(row.id);
    if (!rule) {
      rule = {
        id: row.id,
        deviceType: row.device_type,
        brand: row.brand,
        model: row.model,
        revision: row.revision,
        locale: row.locale,
        updateType: row.update_type,
        approvedVersion: row.approved_version,
        pendingVersion: row.pending_version,
        rolledBackVersion: row.rolled_back_version,
        restoreVersion: row.restore_version,
        files: {},
      };
      rules.set(row.id, rule);
    }
    if (row.version !== null && row.name !== null) {
      (rule.files[row.version] ??= []).push({ name: row.name, role: row.role!, sha256: row.sha256!, size: Number(row.size) });
    }
  }
  return [...rules.values()];
}
