import type { DeviceLogEntity } from '../entities';
import { QueryLayer } from './query-layer';

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
}
