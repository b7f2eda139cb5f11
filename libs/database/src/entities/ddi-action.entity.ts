import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What the device last reported about an action (its feedback, as libs/ddi-protocol reads it). */
export interface DdiActionFeedback {
  execution: string;
  finished: string;
  progress: { cnt: number; of: number } | null;
  details: string[];
  time: string | null;
  /** When the pool received it (ISO 8601). */
  at: string;
}

/**
 * A DDI action (ddi.md): a version offered to one device, with the rule key it was offered under.
 * Its id is the action id the device sees on every node. At most one per device is open or
 * cancelling (the partial unique index `ddi_actions_active_key`, made by the migration: TypeORM
 * cannot compare its condition, so it is not synchronised from here).
 */
@Entity('ddi_actions')
@Index('ddi_actions_controller_idx', ['controllerId', 'id'])
@Index('ddi_actions_active_key', { synchronize: false })
export class DdiActionEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ name: 'controller_id', type: 'varchar', length: 64 })
  controllerId: string;

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

  @Column({ type: 'varchar', length: 64 })
  version: string;

  /** open | cancelling | succeeded | failed | cancelled (libs/ddi-protocol ActionStatus). */
  @Column({ type: 'varchar', length: 16, default: 'open' })
  status: string;

  @Column({ name: 'last_feedback', type: 'jsonb', nullable: true })
  lastFeedback: DdiActionFeedback | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ name: 'retried_at', type: 'timestamptz', nullable: true })
  retriedAt: Date | null;
}
