import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { FileEntity } from './file.entity';
import { PoolNodeEntity } from './pool-node.entity';

export enum ReplicaState {
  Pending = 'pending',
  Ready = 'ready',
  Failed = 'failed',
}

/** Whether a node's replica store holds a file, verified by size and SHA-256. */
@Entity('replicas')
@Index('replicas_sha256_idx', ['sha256'])
export class ReplicaEntity {
  @PrimaryColumn({ name: 'node_id', type: 'varchar', length: 63 })
  nodeId: string;

  @ManyToOne(() => PoolNodeEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'node_id' })
  node?: PoolNodeEntity;

  @PrimaryColumn({ type: 'char', length: 64 })
  sha256: string;

  @ManyToOne(() => FileEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'sha256', referencedColumnName: 'sha256' })
  file?: FileEntity;

  @Column({ type: 'varchar', length: 16 })
  state: ReplicaState;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
