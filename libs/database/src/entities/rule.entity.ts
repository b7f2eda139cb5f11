import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * A device update rule (Lync's DeviceUpdateRule): one per key of six attributes, compared
 * case-insensitively (citext), holding the approved, pending and restore versions. The versions
 * name rows of update_versions by (rule_id, version).
 */
@Entity('rules')
@Index('rules_key_idx', ['deviceType', 'brand', 'model', 'revision', 'locale', 'updateType'], { unique: true })
export class RuleEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

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

  @Column({ name: 'update_type', type: 'citext' })
  updateType: string;

  @Column({ name: 'approved_version', type: 'varchar', length: 64, nullable: true })
  approvedVersion: string | null;

  @Column({ name: 'pending_version', type: 'varchar', length: 64, nullable: true })
  pendingVersion: string | null;

  @Column({ name: 'restore_version', type: 'varchar', length: 64, nullable: true })
  restoreVersion: string | null;

  /** The version a restore rolled back; devices still reporting it are told `RestoreBackup`. */
  @Column({ name: 'rolled_back_version', type: 'varchar', length: 64, nullable: true })
  rolledBackVersion: string | null;

  @Column({ name: 'approved_at', type: 'timestamptz', nullable: true })
  approvedAt: Date | null;

  @Column({ name: 'pending_at', type: 'timestamptz', nullable: true })
  pendingAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
