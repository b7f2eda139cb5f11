import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { AdminTokenEntity, type Role } from '@ucupdates/database';
import { DataSource } from 'typeorm';
import type { AdminPrincipal } from '../../auth/admin-principal';
import { generateToken, hashToken } from '../../auth/token-hash';
import { ApiError } from '../../errors/api-error';
import type { Page } from '../pagination';
import { decodeTimeCursor, encodeTimeCursor, fromMicros, isUuid, micros } from '../time-cursor';
import { AdminChanges } from '../admin-changes';

export interface TokenView {
  id: string;
  name: string;
  role: Role;
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

/** Admin API tokens: the token is shown once, when it is made; only its hash is kept. */
@Injectable()
export class TokensService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(AdminChanges) private readonly changes: AdminChanges,
  ) {}

  async create(name: string, role: Role, principal: AdminPrincipal): Promise<TokenView & { token: string }> {
    const token = generateToken();
    const created = await this.dataSource.transaction(async (manager) => {
      const entity = await manager
        .getRepository(AdminTokenEntity)
        .save({ name, role, tokenHash: hashToken(token), createdBy: principal.name });
      await this.changes.record(manager, principal, {
        action: 'token.create',
        target: `token/${entity.id}`,
        before: null,
        after: { id: entity.id, name, role },
      });
      return entity;
    });
    return { ...view(created), token };
  }

  /** Oldest first; the cursor is the last item's (created_at, id), to the microsecond. */
  async list(limit: number, cursor?: string): Promise<Page<TokenView>> {
    // The microsecond cursor of decision 29: a forged one is a 400 naming `cursor`, never a cast error.
    const after = cursor ? decodeTimeCursor(cursor, isUuid) : null;
    const query = this.dataSource
      .getRepository(AdminTokenEntity)
      .createQueryBuilder('token')
      .addSelect(micros('token.created_at'), 'created_micros');
    if (after) {
      query.where(`(token.created_at, token.id) > (${fromMicros(':micros')}, :id::uuid)`, { micros: after.micros, id: after.id });
    }
    const { entities, raw } = await query
      .orderBy('token.created_at')
      .addOrderBy('token.id')
      .take(limit + 1)
      .getRawAndEntities<{ created_micros: string }>();
    const page = entities.slice(0, limit);
    return {
      items: page.map(view),
      nextCursor: entities.length > limit ? encodeTimeCursor({ micros: raw[limit - 1].created_micros, id: page[limit - 1].id }) : null,
    };
  }

  async delete(id: string, principal: AdminPrincipal): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const token = await manager.getRepository(AdminTokenEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!token) {
        throw new ApiError('NotFound', `no token ${id}`, HttpStatus.NOT_FOUND);
      }
      await manager.getRepository(AdminTokenEntity).delete(id);
      await this.changes.record(manager, principal, {
        action: 'token.delete',
        target: `token/${id}`,
        before: { id, name: token.name, role: token.role },
        after: null,
      });
    });
  }
}

function view(token: AdminTokenEntity): TokenView {
  return {
    id: token.id,
    name: token.name,
    role: token.role,
    createdBy: token.createdBy,
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
  };
}
