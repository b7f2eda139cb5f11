import { type CanActivate, type ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AdminTokenEntity, Role } from '@ucupdates/database';
import type { FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { ApiError } from '../errors/api-error';
import { PUBLIC_ROUTE, REQUIRED_ROLE, roleAllows } from './roles';
import { hashToken } from './token-hash';

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{16,512})$/;

/**
 * Deny by default: every route of the internal listener needs a valid bearer token, and at least
 * the role its `@RequireRole` names (viewer when it names none), unless it is `@Public()`.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) {
      return true;
    }
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match) {
      throw new ApiError('Unauthorized', 'a bearer token is required (Authorization: Bearer <token>)', HttpStatus.UNAUTHORIZED);
    }
    const token = await this.dataSource
      .getRepository(AdminTokenEntity)
      .findOne({ where: { tokenHash: hashToken(match[1]) } });
    if (!token) {
      throw new ApiError('Unauthorized', 'the token is not known to this pool', HttpStatus.UNAUTHORIZED);
    }
    const needed = this.reflector.getAllAndOverride<Role>(REQUIRED_ROLE, targets) ?? Role.Viewer;
    if (!roleAllows(token.role, needed)) {
      throw new ApiError('Forbidden', `this needs the ${needed} role; the token has ${token.role}`, HttpStatus.FORBIDDEN, {
        required: needed,
        role: token.role,
      });
    }
    request.principal = { tokenId: token.id, name: token.name, role: token.role };
    // At most once a minute per token: shows admins which tokens are still in use.
    if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > 60_000) {
      await this.dataSource.query(`UPDATE admin_tokens SET last_used_at = now() WHERE id = $1`, [token.id]);
    }
    return true;
  }
}
