import { Inject, Injectable } from '@nestjs/common';
import type { NewTokenView, Page, TokenView } from '@ucupdates/admin-api';
import { type AdminTokenEntity, AdminTokensRepository, type Role } from '@ucupdates/database';
import type { AdminPrincipal } from '../../auth/admin-principal';
import { generateToken, hashToken } from '../../auth/token-hash';
import { ApiError } from '../../errors/api-error';
import { decodeTimeCursor, encodeTimeCursor, isUuid } from '../shared/time-cursor';
import { AdminChanges } from '../shared/admin-changes';

/** Admin API tokens: the token is shown once, when it is made; only its hash is kept. */
@Injectable()
export class TokensService {
  constructor(
    @Inject(AdminTokensRepository) private readonly tokens: AdminTokensRepository,
    @Inject(AdminChanges) private readonly changes: AdminChanges,
  ) {}

  async create(name: string, role: Role, principal: AdminPrincipal): Promise<NewTokenView> {
    const token = generateToken();
    const created = await this.changes.transaction(async (tx) => {
      const entity = await tx(this.tokens).create({ name, role, tokenHash: hashToken(token), createdBy: principal.name });
      await this.changes.record(tx, principal, {
        action: 'token.create',
        target: `token/${entity.id}`,
        subject: name,
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
    const rows = await this.tokens.page(after, limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => view(row.token)),
      nextCursor: rows.length > limit && last ? encodeTimeCursor({ micros: last.createdMicros, id: last.token.id }) : null,
    };
  }

  async remove(id: string, principal: AdminPrincipal): Promise<void> {
    await this.changes.transaction(async (tx) => {
      const token = await tx(this.tokens).byId(id, true);
      if (!token) {
        throw new ApiError('NotFound', `no token ${id}`);
      }
      await tx(this.tokens).remove(id);
      await this.changes.record(tx, principal, {
        action: 'token.delete',
        target: `token/${id}`,
        subject: token.name,
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
