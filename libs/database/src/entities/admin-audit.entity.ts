import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One administrative change; written in the same transaction as the change itself. */
@Entity('admin_audit')
@Index('admin_audit_at_idx', ['at'])
export class AdminAuditEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;

  /** The token's name (or `system` for the pool's own changes). */
  @Column({ type: 'text' })
  actor: string;

  @Column({ type: 'varchar', length: 16 })
  role: string;

  @Column({ type: 'varchar', length: 64 })
  action: string;

  @Column({ type: 'text' })
  target: string;

  @Column({ type: 'jsonb', nullable: true })
  before: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  after: Record<string, unknown> | null;

  @Column({ name: 'node_id', type: 'varchar', length: 63 })
  nodeId: string;
}
