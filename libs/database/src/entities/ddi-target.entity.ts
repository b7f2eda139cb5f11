import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A device that speaks hawkBit's DDI API (ddi.md: a "target"), by its controller id. Its
 * attributes are what its `configData` sent or an administrator registered (`vendor`, `model`,
 * `hwRevision`, optional `locale`, and whatever else the device reports): libs/rules' ddiDeviceKind
 * makes its rule key from them. Only the SHA-256 of its target token is stored; the token is
 * shown once.
 */
@Entity('ddi_targets')
export class DdiTargetEntity {
  /** 1-64 letters, digits, `.`, `_`, `-` and `:` (libs/rules isValidControllerId), as the device sends it. */
  @PrimaryColumn({ name: 'controller_id', type: 'varchar', length: 64 })
  controllerId: string;

  /** Attribute name to value; `{}` until the device sends configData or an administrator sets them. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  attributes: Record<string, string>;

  /** SHA-256 (hex) of the target token; null for a device without one (registered by a gateway). */
  @Index('ddi_targets_token_hash_key', { unique: true })
  @Column({ name: 'token_hash', type: 'char', length: 64, nullable: true })
  tokenHash: string | null;

  @Column({ name: 'token_issued_at', type: 'timestamptz', nullable: true })
  tokenIssuedAt: Date | null;

  /** Who registered it: the administrator (the admin audit's actor), or `gateway` for a device a gateway announced. */
  @Column({ name: 'registered_by', type: 'text' })
  registeredBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
