import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { type ImportState, INITIAL_IMPORT_STATE } from '@ucupdates/imports';
import { PackageEntity } from './package.entity';

/** One import of a package. The package's SHA-256 is unique: the same bytes twice are one import. */
@Entity('imports')
@Index('imports_created_at_idx', ['createdAt'])
export class ImportEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('imports_package_sha256_key', { unique: true })
  @Column({ name: 'package_sha256', type: 'char', length: 64 })
  packageSha256: string;

  @ManyToOne(() => PackageEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'package_sha256', referencedColumnName: 'sha256' })
  package?: PackageEntity;

  @Column({ name: 'file_name', type: 'text' })
  fileName: string;

  /** Its state in the import's life (libs/imports' state machine). */
  @Column({ type: 'varchar', length: 16, default: INITIAL_IMPORT_STATE })
  status: ImportState;

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage: string | null;

  /** Who uploaded it (token name) and through which node. */
  @Column({ name: 'uploaded_by', type: 'text' })
  uploadedBy: string;

  @Column({ name: 'node_id', type: 'varchar', length: 63 })
  nodeId: string;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  /** When every active node held every file of this import. */
  @Column({ name: 'replicated_at', type: 'timestamptz', nullable: true })
  replicatedAt: Date | null;
}
