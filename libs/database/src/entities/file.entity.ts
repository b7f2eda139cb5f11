import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A content-addressed file (image or catalog): stored once in S3 under `files/<sha256>`. */
@Entity('files')
export class FileEntity {
  @PrimaryColumn({ type: 'char', length: 64 })
  sha256: string;

  @Column({ type: 'bigint' })
  size: string;

  /**
   * SHA-1 and MD5 (hex), for DDI devices' deployment answers (SWUpdate checks the SHA-1; ddi.md).
   * Null only for a file stored before they were kept (migration 1796610000000), until a package
   * brings it again. Replication verifies the SHA-256 alone.
   */
  @Column({ type: 'char', length: 40, nullable: true })
  sha1: string | null;

  @Column({ type: 'char', length: 32, nullable: true })
  md5: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
