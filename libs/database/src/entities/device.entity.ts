import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export interface DeviceModule {
  updateType: string;
  version: string;
}

/** The inventory: one row per device, keyed by MAC address (or serial number when it has none). */
@Entity('devices')
@Index('devices_model_idx', ['model'])
@Index('devices_last_seen_at_idx', ['lastSeenAt'])
export class DeviceEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** `mac:<MAC>`, `serial:<serial>` or `ddi:<controllerId>`: what identifies the device across requests. */
  @Column({ name: 'device_key', type: 'varchar', length: 200, unique: true })
  deviceKey: string;

  @Column({ name: 'mac_address', type: 'varchar', length: 64, nullable: true })
  macAddress: string | null;

  @Column({ name: 'serial_number', type: 'varchar', length: 128, nullable: true })
  serialNumber: string | null;

  /** A DDI device's controller id; null for phones. */
  @Column({ name: 'controller_id', type: 'varchar', length: 64, nullable: true })
  controllerId: string | null;

  @Column({ name: 'device_type', type: 'citext' })
  deviceType: string;

  @Column({ type: 'citext' })
  brand: string;

  @Column({ type: 'citext' })
  model: string;

  @Column({ type: 'citext' })
  revision: string;

  @Column({ type: 'citext' })
  locale: string;

  @Column({ type: 'jsonb' })
  modules: DeviceModule[];

  @Column({ name: 'is_test_device', type: 'boolean', default: false })
  isTestDevice: boolean;

  @Column({ name: 'first_seen_at', type: 'timestamptz' })
  firstSeenAt: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt: Date;

  @Column({ name: 'last_node_id', type: 'varchar', length: 63 })
  lastNodeId: string;

  @Column({ name: 'last_address', type: 'varchar', length: 64 })
  lastAddress: string;

  @Column({ name: 'last_user_id', type: 'text', nullable: true })
  lastUserId: string | null;

  /**
   * One UUID per distinct (kind, modules, test device), byte for byte, set by the database's
   * devices_inventory_group trigger on every write (migration 1797400000000, decision 73): what
   * the inventory's summary groups by. Never written by the code.
   */
  @Column({ name: 'inventory_group', type: 'uuid', select: false, insert: false, update: false })
  inventoryGroup: string;
}
