import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The roles of admin tokens: a value object and its type (not a TypeScript enum), so a role the
 * admin API's contract names (`'admin'`, libs/admin-api) is one of these as it is.
 */
export const Role = { Admin: 'admin', Operator: 'operator', Viewer: 'viewer' } as const;
export type Role = (typeof Role)[keyof typeof Role];

/** An admin API token. Only the SHA-256 of the token is stored; the token is shown once. */
@Entity('admin_tokens')
export class AdminTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 128 })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  role: Role;

  @Column({ name: 'token_hash', type: 'char', length: 64, unique: true })
  tokenHash: string;

  @Column({ name: 'created_by', type: 'text', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;
}
