import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { FileEntity } from './file.entity';
import { UpdateVersionEntity } from './update-version.entity';

export enum UpdateFileRole {
  Image = 'image',
  Catalog = 'catalog',
}

/** A file of an update version, by the name phones download it under and the content it has. */
@Entity('update_version_files')
export class UpdateVersionFileEntity {
  @PrimaryColumn({ name: 'update_version_id', type: 'uuid' })
  updateVersionId: string;

  @ManyToOne(() => UpdateVersionEntity, (version) => version.files, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'update_version_id' })
  updateVersion?: UpdateVersionEntity;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  role: UpdateFileRole;

  /** Indexed: purge and replication ask which versions still use a file. */
  @Index('update_version_files_sha256_idx')
  @Column({ type: 'char', length: 64 })
  sha256: string;

  @ManyToOne(() => FileEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'sha256', referencedColumnName: 'sha256' })
  file?: FileEntity;
}
