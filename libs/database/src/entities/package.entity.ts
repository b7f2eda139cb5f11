import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** An uploaded update package (`.cab`), stored once in S3 under its SHA-256. */
@Entity('packages')
export class PackageEntity {
  @PrimaryColumn({ type: 'char', length: 64 })
  sha256: string;

  @Column({ type: 'bigint' })
  size: string;

  @Column({ name: 'object_key', type: 'text' })
  objectKey: string;

  /** Set when the object was deleted (a refused package keeps only its import record). */
  @Column({ name: 'removed_at', type: 'timestamptz', nullable: true })
  removedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
