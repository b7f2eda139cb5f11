import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A log file a device uploaded; its bytes are in S3 under `object_key`. */
@Entity('device_logs')
@Index('device_logs_created_at_idx', ['createdAt'])
@Index('device_logs_mac_idx', ['macAddress'])
@Index('device_logs_serial_idx', ['serialNumber'])
export class DeviceLogEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'device_type', type: 'text' })
  deviceType: string;

  @Column({ name: 'mac_address', type: 'varchar', length: 64, nullable: true })
  macAddress: string | null;

  @Column({ name: 'serial_number', type: 'varchar', length: 128, nullable: true })
  serialNumber: string | null;

  @Column({ name: 'log_type', type: 'varchar', length: 64 })
  logType: string;

  @Column({ name: 'file_name', type: 'varchar', length: 255 })
  fileName: string;

  @Column({ type: 'bigint' })
  size: string;

  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ name: 'object_key', type: 'text' })
  objectKey: string;

  @Column({ name: 'node_id', type: 'varchar', length: 63 })
  nodeId: string;

  @Column({ type: 'varchar', length: 64 })
  address: string;

  @Column({ name: 'user_id', type: 'text', nullable: true })
  userId: string | null;

  @Column({ type: 'boolean', default: false })
  external: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
