import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export interface RequestAuditModule {
  filename: string;
  version: string;
  timestamp: string | null;
}

export interface ResponseAuditModule extends RequestAuditModule {
  signatureFilename: string | null;
}

/**
 * What a DDI request's audit row says about its action: the action a poll linked (and whether as a
 * deployment or a cancellation), or the one a feedback reported on, with its execution and result.
 */
export interface DdiAuditDetail {
  actionId: string | null;
  link?: 'deploymentBase' | 'cancelAction';
  execution?: string;
  finished?: string;
}

/**
 * One answered update check, with the fields of Lync's request audit log. `request_id` is unique
 * so a buffered row written twice (after a crash or an outage) is stored once.
 */
@Entity('request_audit')
@Index('request_audit_at_idx', ['at'])
@Index('request_audit_mac_at_idx', ['macAddress', 'at'])
@Index('request_audit_serial_at_idx', ['serialNumber', 'at'])
@Index('request_audit_controller_at_idx', ['controllerId', 'at'])
export class RequestAuditEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ name: 'request_id', type: 'uuid', unique: true })
  requestId: string;

  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ name: 'node_id', type: 'varchar', length: 63 })
  nodeId: string;

  @Column({ type: 'varchar', length: 64 })
  address: string;

  @Column({ name: 'device_type', type: 'text' })
  deviceType: string;

  @Column({ name: 'mac_address', type: 'varchar', length: 64, nullable: true })
  macAddress: string | null;

  @Column({ name: 'serial_number', type: 'varchar', length: 128, nullable: true })
  serialNumber: string | null;

  /** A DDI device's controller id; null for phones. */
  @Column({ name: 'controller_id', type: 'varchar', length: 64, nullable: true })
  controllerId: string | null;

  /** Which request: a phone's `UpdateCheck`, or a DDI device's (AuditOperation). */
  @Column({ type: 'varchar', length: 32, default: 'UpdateCheck' })
  operation: string;

  /** A DDI request's action (DdiAuditDetail); null for phones. */
  @Column({ type: 'jsonb', nullable: true })
  ddi: DdiAuditDetail | null;

  @Column({ type: 'text' })
  vendor: string;

  @Column({ type: 'text' })
  model: string;

  @Column({ type: 'text' })
  revision: string;

  @Column({ type: 'text' })
  locale: string;

  @Column({ name: 'request_modules', type: 'jsonb' })
  requestModules: RequestAuditModule[];

  @Column({ name: 'response_modules', type: 'jsonb' })
  responseModules: ResponseAuditModule[];

  @Column({ name: 'user_id', type: 'text', nullable: true })
  userId: string | null;

  @Column({ type: 'boolean' })
  external: boolean;

  @Column({ type: 'smallint' })
  status: number;
}
