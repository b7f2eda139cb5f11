import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** How a test device is identified; a value object and its type, as `Role` (admin-token.entity.ts). */
export const TestDeviceIdentifierType = { MacAddress: 'MACAddress', SerialNumber: 'SerialNumber', ControllerId: 'ControllerId' } as const;
export type TestDeviceIdentifierType = (typeof TestDeviceIdentifierType)[keyof typeof TestDeviceIdentifierType];

/** A test device (Lync's TestDevice): gets pending versions first. Names are unique per scope. */
@Entity('test_devices')
@Index('test_devices_scope_name_key', ['scope', 'name'], { unique: true })
export class TestDeviceEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** `global` or `site:<name>`. */
  @Column({ type: 'citext' })
  scope: string;

  @Column({ type: 'citext' })
  name: string;

  @Column({ name: 'identifier_type', type: 'varchar', length: 16 })
  identifierType: TestDeviceIdentifierType;

  /** Normalised: a MAC as upper-case pairs joined by `-`, a serial number or a controller id as given. */
  @Index('test_devices_identifier_idx')
  @Column({ type: 'citext' })
  identifier: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
