import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A pool node: one frontend and one worker sharing a node id and a replica store. Each process
 * beats its own column; a graceful stop clears it. Whether a node is active is derived from the
 * frontend's beat, compared with the database clock, so no node's clock has to be right.
 */
@Entity('pool_nodes')
export class PoolNodeEntity {
  @PrimaryColumn({ type: 'varchar', length: 63 })
  id: string;

  /** The node's own internal listener, for operators (phones go through the load balancer). */
  @Column({ type: 'text' })
  url: string;

  @Column({ name: 'app_version', type: 'varchar', length: 64 })
  appVersion: string;

  @Column({ name: 'frontend_started_at', type: 'timestamptz', nullable: true })
  frontendStartedAt: Date | null;

  @Column({ name: 'frontend_heartbeat_at', type: 'timestamptz', nullable: true })
  frontendHeartbeatAt: Date | null;

  @Column({ name: 'worker_started_at', type: 'timestamptz', nullable: true })
  workerStartedAt: Date | null;

  @Column({ name: 'worker_heartbeat_at', type: 'timestamptz', nullable: true })
  workerHeartbeatAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
