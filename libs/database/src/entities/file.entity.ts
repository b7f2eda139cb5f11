import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A content-addressed file (image or catalog): stored once in S3 under `files/<sha256>`. */
@Entity('files')
export class FileEntity {
  @PrimaryColumn({ type: 'char', length: 64 })
  sha256: string;

  @Column({ type: 'bigint' })
  size: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
