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

  /** The node's scrub (docs/replication.md): when its current or last pass over its store began. */
  @Column({ name: 'scrub_pass_started_at', type: 'timestamptz', nullable: true })
  scrubPassStartedAt: Date | null;

  @Column({ name: 'scrub_pass_completed_at', type: 'timestamptz', nullable: true })
  scrubPassCompletedAt: Date | null;

  /** Bytes the scrub has re-read and re-hashed, over every pass. */
  @Column({ name: 'scrub_checked_bytes', type: 'bigint', default: 0 })
  scrubCheckedBytes: string;

  /** Files the scrub found not to match their SHA-256 (each then replaced), and the last of them. */
  @Column({ name: 'scrub_mismatches', type: 'integer', default: 0 })
  scrubMismatches: number;

  @Column({ name: 'scrub_last_mismatch_sha256', type: 'char', length: 64, nullable: true })
  scrubLastMismatchSha256: string | null;

  @Column({ name: 'scrub_last_mismatch_at', type: 'timestamptz', nullable: true })
  scrubLastMismatchAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
