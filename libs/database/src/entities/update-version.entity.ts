import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { ImportEntity } from './import.entity';
import { RuleEntity } from './rule.entity';
import { UpdateVersionFileEntity } from './update-version-file.entity';

/** One version of a rule's update, as an import brought it: its files are update_version_files. */
@Entity('update_versions')
@Index('update_versions_rule_version_key', ['ruleId', 'version'], { unique: true })
export class UpdateVersionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'rule_id', type: 'uuid' })
  ruleId: string;

  @ManyToOne(() => RuleEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'rule_id' })
  rule?: RuleEntity;

  @Column({ type: 'varchar', length: 64 })
  version: string;

  @Index('update_versions_import_id_idx')
  @Column({ name: 'import_id', type: 'uuid', nullable: true })
  importId: string | null;

  @ManyToOne(() => ImportEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'import_id' })
  import?: ImportEntity;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @OneToMany(() => UpdateVersionFileEntity, (file) => file.updateVersion)
  files?: UpdateVersionFileEntity[];

  /**
   * When a reset or a restore took the version out of its rule's approved, pending and restore
   * versions; its files stay downloadable for UCU_RETIRED_VERSION_GRACE_SECONDS after that. Null
   * while the rule offers it.
   */
  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
