import type { DeviceUpdateConfiguration } from '@ucupdates/device-config';
import { DeviceUpdateConfigurationEntity } from '../entities';
import { QueryLayer } from './query-layer';

/** The stored configurations' columns as `DeviceUpdateConfiguration` fields. */
export const CONFIGURATION_COLUMNS = `scope, log_clean_up_interval_seconds AS "logCleanUpIntervalSeconds",
  log_flush_interval_seconds AS "logFlushIntervalSeconds", max_log_cache_limit::float8 AS "maxLogCacheLimit",
  max_log_file_size::float8 AS "maxLogFileSize", log_clean_up_time_of_day AS "logCleanUpTimeOfDay",
  valid_log_file_types AS "validLogFileTypes", valid_log_file_extensions AS "validLogFileExtensions",
  ddi_polling_interval_seconds AS "ddiPollingIntervalSeconds"`;

/** Lync's device update configurations (`device_update_configurations`), one per scope that was set. */
export class ConfigurationRepository extends QueryLayer {
  /** Every stored scope, in scope order. */
  async all(): Promise<DeviceUpdateConfiguration[]> {
    return this.manager.query<DeviceUpdateConfiguration[]>(`SELECT ${CONFIGURATION_COLUMNS} FROM device_update_configurations ORDER BY scope`);
  }

  /** A stored scope; with `lock`, locked until the transaction ends. Null when the scope was never set. */
  async find(scope: string, lock = false): Promise<DeviceUpdateConfiguration | null> {
    const [row] = await this.manager.query<DeviceUpdateConfiguration[]>(
      `SELECT ${CONFIGURATION_COLUMNS} FROM device_update_configurations WHERE scope = $1${lock ? ' FOR UPDATE' : ''}`,
      [scope],
    );
    return row ?? null;
  }

  /** Inserts or replaces the scope's configuration (a new scope's first write races on the unique key). */
  async save(configuration: DeviceUpdateConfiguration): Promise<void> {
    await this.manager.getRepository(DeviceUpdateConfigurationEntity).save({
      ...configuration,
      maxLogCacheLimit: String(configuration.maxLogCacheLimit),
      maxLogFileSize: String(configuration.maxLogFileSize),
    });
  }

  async remove(scope: string): Promise<void> {
    await this.manager.getRepository(DeviceUpdateConfigurationEntity).delete({ scope });
  }
}
