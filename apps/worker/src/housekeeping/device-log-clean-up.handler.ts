import { Logger } from '@nestjs/common';
import type { Config } from '@ucupdates/config';
import { type DeviceUpdateConfiguration, effectiveConfiguration } from '@ucupdates/device-config';
import type { ObjectStorage } from '@ucupdates/storage';
import type { Redis } from 'ioredis';
import { ConfigurationRepository, DeviceLogsRepository, type Repositories } from '@ucupdates/database';
import { expiryCutoff, isDue, latestDueMoment } from './log-clean-up-schedule';

/** The latest due moment (ms since 1970) a clean-up claimed, pool-wide. */
export const LAST_DUE_KEY = 'ucupdates:device-log-clean-up:last-due';

/** Rows (and objects) per batch: one short statement each, and a bounded list in memory. */
const BATCH = 500;
/** Object deletions at once: the store is remote, one at a time would be slow, all at once rude. */
const PARALLEL_DELETES = 8;

/**
 * Claims a due moment: sets the key to it unless it already holds that moment or a later one.
 * Answers the previous value ('' when there was none), or nil when the moment was claimed before.
 */
const CLAIM = `
local last = redis.call('GET', KEYS[1])
if last and tonumber(last) >= tonumber(ARGV[1]) then return false end
redis.call('SET', KEYS[1], ARGV[1])
return last or ''`;

/** Gives a claimed moment back (a failed run), unless a later run claimed another since. */
const RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2]) end
return 1`;

export interface CleanUpOutcome {
  /** False when the clean-up was not due (the latest due moment was done already). */
  ran: boolean;
  dueAt: string;
  /** Logs uploaded before this were deleted. */
  cutoff?: string;
  deleted: number;
}

/**
 * The device log clean-up (docs/architecture.md, flow 6; Lync's LogCleanUpInterval and
 * LogCleanUpTimeOfDay): deletes the logs older than the interval, at the time of day (UTC), or
 * hourly when none is set.
 *
 * The job runs every minute, once per pool (a BullMQ job scheduler); each run reads the effective
 * configuration from Postgres, so a change made through the admin API applies from the next
 * minute, and runs the clean-up only when a due moment has come that no run claimed yet. The claim
 * is an atomic compare-and-set in Redis, so two runs that overlap (a slow clean-up, a retried job)
 * never both clean up for one moment. A run that fails gives its claim back, and BullMQ retries it.
 */
export class DeviceLogCleanUpHandler {
  private readonly logger = new Logger(DeviceLogCleanUpHandler.name);

  constructor(
    private readonly config: Config,
    private readonly repositories: Repositories,
    private readonly storage: ObjectStorage,
    private readonly redis: Redis,
  ) {}

  async handle(now: Date = new Date()): Promise<CleanUpOutcome> {
    const configuration = await this.configuration();
    const dueAt = latestDueMoment(now, configuration.logCleanUpTimeOfDay);
    const last = await this.redis.get(LAST_DUE_KEY);
    if (!isDue(dueAt, last === null ? null : Number(last))) {
      return { ran: false, dueAt: new Date(dueAt).toISOString(), deleted: 0 };
    }
    const previous = (await this.redis.eval(CLAIM, 1, LAST_DUE_KEY, String(dueAt))) as string | null;
    if (previous === null) {
      return { ran: false, dueAt: new Date(dueAt).toISOString(), deleted: 0 };
    }
    const cutoff = expiryCutoff(now, configuration.logCleanUpIntervalSeconds);
    try {
      const deleted = await removeDeviceLogsBefore(this.repositories.get(DeviceLogsRepository), this.storage, cutoff);
      if (deleted > 0) {
        this.logger.log(`deleted ${deleted} device logs uploaded before ${cutoff.toISOString()}`);
      }
      return { ran: true, dueAt: new Date(dueAt).toISOString(), cutoff: cutoff.toISOString(), deleted };
    } catch (error) {
      await this.redis.eval(RELEASE, 1, LAST_DUE_KEY, String(dueAt), previous).catch(() => undefined);
      throw error;
    }
  }

  /** The configuration in force on the pool: its site's (UCU_SITE) if set, else the global one. */
  private async configuration(): Promise<DeviceUpdateConfiguration> {
    return effectiveConfiguration(await this.repositories.get(ConfigurationRepository).all(), this.config.UCU_SITE);
  }
}

/**
 * Deletes the logs uploaded before `cutoff`, in batches: for each, the objects first, then the rows
 * of the objects that went. That order never leaves an object no row names (it would stay in the
 * store for ever); a row whose object is gone (a run that stopped between the two) is deleted by
 * the next run, and until then the admin API answers its content as not found. Returns how many
 * logs went; throws, after deleting what it could, when an object could not be deleted.
 */
export async function removeDeviceLogsBefore(logs: DeviceLogsRepository, storage: ObjectStorage, cutoff: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await logs.uploadedBefore(cutoff, BATCH);
    if (rows.length === 0) {
      return total;
    }
    const failures: Error[] = [];
    const gone: string[] = [];
    for (let start = 0; start < rows.length; start += PARALLEL_DELETES) {
      const slice = rows.slice(start, start + PARALLEL_DELETES);
      const results = await Promise.allSettled(slice.map((row) => storage.remove(row.object_key)));
      results.forEach((result, index) => {
        if (result.status === 'fulfilled') {
          gone.push(slice[index].id);
        } else {
          failures.push(result.reason as Error);
        }
      });
    }
    if (gone.length > 0) {
      await logs.remove(gone);
      total += gone.length;
    }
    if (failures.length > 0) {
      throw new Error(`could not delete ${failures.length} device log objects (${failures[0].message}); the next attempt tries again`);
    }
    if (rows.length < BATCH) {
      return total;
    }
  }
}
