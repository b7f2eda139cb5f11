import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Lync's DeviceUpdateConfiguration, per scope (`global` or `site:<name>`). Intervals in seconds. */
@Entity('device_update_configurations')
export class DeviceUpdateConfigurationEntity {
  @PrimaryColumn({ type: 'citext' })
  scope: string;

  @Column({ name: 'log_clean_up_interval_seconds', type: 'integer' })
  logCleanUpIntervalSeconds: number;

  @Column({ name: 'log_flush_interval_seconds', type: 'integer' })
  logFlushIntervalSeconds: number;

  @Column({ name: 'max_log_cache_limit', type: 'bigint' })
  maxLogCacheLimit: string;

  @Column({ name: 'max_log_file_size', type: 'bigint' })
  maxLogFileSize: string;

  /** `HH:MM` (UTC), or null for "whenever the interval is due". */
  @Column({ name: 'log_clean_up_time_of_day', type: 'varchar', length: 5, nullable: true })
  logCleanUpTimeOfDay: string | null;

  @Column({ name: 'valid_log_file_types', type: 'text', array: true })
  validLogFileTypes: string[];

  @Column({ name: 'valid_log_file_extensions', type: 'text', array: true })
  validLogFileExtensions: string[];

  /** How long a DDI device sleeps between polls (ddi.md: DdiPollingInterval), 30 s to 24 h. */
  @Column({ name: 'ddi_polling_interval_seconds', type: 'integer', default: 300 })
  ddiPollingIntervalSeconds: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
