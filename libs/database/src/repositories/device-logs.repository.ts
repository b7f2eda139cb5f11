import type { DeviceLogEntity } from '../entities';
import { fromMicros, micros, type TimeKey } from './keyset';
import { QueryLayer } from './query-layer';

/** A `device_logs` row as node-postgres gives it, with created_at also as microseconds for cursors. */
export interface DeviceLogRow {
  id: string;
  device_type: string;
  mac_address: string | null;
  serial_number: string | null;
  log_type: string;
  file_name: string;
  /** bigint, as text. */
  size: string;
  sha256: string;
  object_key: string;
  node_id: string;
  address: string;
  user_id: string | null;
  external: boolean;
  created_at: Date;
  created_micros: string;
}

export interface DeviceLogRowFilters {
  /** Normalised (upper-case pairs joined by `-`), as rows hold it. */
  macAddress?: string;
  serialNumber?: string;
  deviceType?: string;
  logType?: string;
  since?: string;
  until?: string;
}

/** A log a device uploaded, once its bytes are in the object store under `objectKey`; created_at is the database's clock. */
export type NewDeviceLog = Omit<DeviceLogEntity, 'size' | 'createdAt'> & { size: number };

/** The device log store's rows (`device_logs`); the bytes are in the object store. */
export class DeviceLogsRepository extends QueryLayer {
  async insert(log: NewDeviceLog): Promise<void> {
    await this.manager.query(
      `INSERT INTO device_logs (id, device_type, mac_address, serial_number, log_type, file_name, size, sha256,
                                object_key, node_id, address, user_id, external)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        log.id,
        log.deviceType,
        log.macAddress,
        log.serialNumber,
        log.logType,
        log.fileName,
        log.size,
        log.sha256,
        log.objectKey,
        log.nodeId,
        log.address,
        log.userId,
        log.external,
      ],
    );
  }

  /** The bytes every stored log takes together: what the store's quota counts. */
  async storedBytes(): Promise<number> {
    const [{ bytes }] = await this.manager.query<{ bytes: number }[]>(`SELECT coalesce(sum(size), 0)::float8 AS bytes FROM device_logs`);
    return bytes;
  }

  /**
   * Newest first, by (created_at, id), after `after`. A device's logs are found by the MAC and
   * serial indexes, the rest by the created_at index; device and log types compare
   * case-insensitively (phones and the configuration may spell them differently).
   */
  async page(filters: DeviceLogRowFilters, after: TimeKey | null, limit: number): Promise<DeviceLogRow[]> {
    return this.manager.query<DeviceLogRow[]>(
      `SELECT *, ${micros('created_at')} AS created_micros FROM device_logs
        WHERE ($1::bigint IS NULL OR (created_at <= ${fromMicros('$1')} AND (created_at, id) < (${fromMicros('$1')}, $2::uuid)))
          AND ($3::text IS NULL OR mac_address = $3)
          AND ($4::text IS NULL OR serial_number = $4)
          AND ($5::text IS NULL OR lower(device_type) = lower($5))
          AND ($6::text IS NULL OR lower(log_type) = lower($6))
          AND ($7::timestamptz IS NULL OR created_at >= $7)
          AND ($8::timestamptz IS NULL OR created_at < $8)
        ORDER BY created_at DESC, id DESC
        LIMIT $9`,
      [
        after?.micros ?? null,
        after?.id ?? null,
        filters.macAddress ?? null,
        filters.serialNumber ?? null,
        filters.deviceType ?? null,
        filters.logType ?? null,
        filters.since ?? null,
        filters.until ?? null,
        limit,
      ],
    );
  }

  async get(id: string): Promise<DeviceLogRow | null> {
    const [row] = await this.manager.query<DeviceLogRow[]>(
      `SELECT *, ${micros('created_at')} AS created_micros FROM device_logs WHERE id = $1`,
      [id],
    );
    return row ?? null;
  }

  /** At most `limit` of the oldest logs uploaded before `cutoff`: their ids and object keys. */
  async uploadedBefore(cutoff: Date, limit: number): Promise<{ id: string; object_key: string }[]> {
    return this.manager.query<{ id: string; object_key: string }[]>(
      `SELECT id, object_key FROM device_logs WHERE created_at < $1 ORDER BY created_at LIMIT $2`,
      [cutoff, limit],
    );
  }

  async remove(ids: readonly string[]): Promise<void> {
    await this.manager.query(`DELETE FROM device_logs WHERE id = ANY($1::uuid[])`, [ids]);
  }
}
