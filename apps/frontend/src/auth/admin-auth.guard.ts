import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type AdminTokenEntity, AdminTokensRepository, Role } from '@ucupdates/database';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error';
import { DirectorySignIn } from '../admin/session/directory-sign-in';
import { directoryActor } from './admin-principal';
import { csrfTokenMatches, type PanelDirectoryUser, PanelSessions } from './panel-sessions';
import { PUBLIC_ROUTE, REQUIRED_ROLE, roleAllows } from './roles';
import { CSRF_HEADER, sessionIdOf } from './session-cookie';
import { hashToken } from './token-hash';

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{16,512})$/;

/** Methods that change nothing: a session cookie alone is enough for them. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Deny by default: every route of the internal listener needs a valid bearer token, or the
 * control panel's session cookie, and at least the role its `@RequireRole` names (viewer when it
 * names none), unless it is `@Public()`.
 *
 * A request with an Authorization header is judged by it alone, as before the panel existed. A
 * request without one may carry the panel's session cookie; as a browser sends that cookie by
 * itself, a change (any method but GET, HEAD, OPTIONS) must also carry the session's CSRF token in
 * `X-CSRF-Token`, which only the panel's own page can have read (`GET /api/v1/session`).
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AdminTokensRepository) private readonly tokens: AdminTokensRepository,
    @Inject(PanelSessions) private readonly sessions: PanelSessions,
    @Inject(DirectorySignIn) private readonly directory: DirectorySignIn,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) {
      return true;
    }
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const sessionId = request.headers.authorization === undefined ? sessionIdOf(request) : undefined;
    const caller = sessionId ? await this.callerOfSession(request, sessionId) : await this.tokenOfBearer(request);
    const needed = this.reflector.getAllAndOverride<Role>(REQUIRED_ROLE, targets) ?? Role.Viewer;
    if (!roleAllows(caller.role, needed)) {
      const whose = 'dn' in caller ? 'the directory user' : 'the token';
      throw new ApiError('Forbidden', `this needs the ${needed} role; ${whose} has ${caller.role}`, {
        required: needed,
        role: caller.role,
      });
    }
    if ('dn' in caller) {
      request.principal = { tokenId: null, name: directoryActor(caller.name), role: caller.role };
      return true;
    }
    const token = caller;
    request.principal = { tokenId: token.id, name: token.name, role: token.role };
    // At most once a minute per token: shows admins which tokens are still in use.
    if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > 60_000) {
      await this.tokens.touch(token.id);
    }
    return true;
  }

  private async tokenOfBearer(request: FastifyRequest): Promise<AdminTokenEntity> {
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match) {
      throw new ApiError('Unauthorized', 'a bearer token is required (Authorization: Bearer <token>)');
    }
    const token = await this.tokens.byHash(hashToken(match[1]));
    if (!token) {
      throw new ApiError('Unauthorized', 'the token is not known to this pool');
    }
    return token;
  }

  /** The session's token, or its directory user with the role its groups grant now (DirectorySignIn.recheck). */
  private async callerOfSession(request: FastifyRequest, sessionId: string): Promise<AdminTokenEntity | PanelDirectoryUser> {
    const ended = () => new ApiError('Unauthorized', 'the session has ended; sign in again');
    const session = await this.sessions.find(sessionId);
    if (!session) throw ended();
    let caller: AdminTokenEntity | PanelDirectoryUser | null;
    if ('tokenId' in session) {
      // A revoked token ends its sessions: the token is looked up on every request.
      caller = await this.tokens.byId(session.tokenId);
    } else {
      // A user taken out of every group ends its sessions within DirectorySignIn's recheck interval.
      caller = await this.directory.recheck(session.directoryUser);
      if (caller === null) await this.sessions.remove(sessionId);
      else if (caller !== session.directoryUser) await this.sessions.update(sessionId, { directoryUser: caller, csrfToken: session.csrfToken });
    }
    if (!caller) throw ended();
    if (!SAFE_METHODS.has(request.method) && !csrfTokenMatches(headerValue(request, CSRF_HEADER), session.csrfToken)) {
      throw new ApiError(
        'CsrfRefused',
        `a change made with the session cookie needs the session's CSRF token in the ${CSRF_HEADER} header`,
        );
    }
    request.panelSession = { id: sessionId, csrfToken: session.csrfToken };
    return caller;
  }
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? undefined : value;
}
