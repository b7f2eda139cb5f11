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

  /**
   * What was changed, named as administrators know it (a rule's key, a test device's scope/name, a
   * token's name…), recorded with the change so it outlives the thing; `null` only on rows from
   * before it was kept that could not be named (migration 1797100000000).
   */
  @Column({ type: 'text', nullable: true })
  subject: string | null;

  @Column({ type: 'jsonb', nullable: true })
  before: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  after: Record<string, unknown> | null;

  @Column({ name: 'node_id', type: 'varchar', length: 63 })
  nodeId: string;
}
