import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { signInBody } from '@ucupdates/admin-api/input';
import { ROUTES, type SessionView } from '@ucupdates/admin-api';
import { AdminTokensRepository, Role } from '@ucupdates/database';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AdminPrincipal, directoryActor, Principal } from '../../auth/admin-principal';
import { PANEL_SESSION_SECONDS, PanelSessions } from '../../auth/panel-sessions';
import { Public, RequireRole } from '../../auth/roles';
import { sessionCookie } from '../../auth/session-cookie';
import { hashToken } from '../../auth/token-hash';
import { ApiJsonBody } from '../../docs/api-schema';
import { ApiError } from '../../errors/api-error';
import { DirectorySignIn } from './directory-sign-in';
import { parseInput } from '../shared/request-input';

/**
 * `/api/v1/session`: the control panel signs in with an admin token and gets a session cookie
 * (httpOnly, SameSite=Strict), asks who it is, and signs out. The token itself never reaches the
 * page's scripts again, and API clients that send a bearer token need none of this.
 */
@Controller()
@ApiTags('session')
export class SessionController {
  private readonly logger = new Logger(SessionController.name);

  constructor(
    @Inject(AdminTokensRepository) private readonly tokens: AdminTokensRepository,
    @Inject(PanelSessions) private readonly sessions: PanelSessions,
    @Inject(DirectorySignIn) private readonly directory: DirectorySignIn,
  ) {}

  @Post(ROUTES.session)
  @Public()
  @ApiOperation({ summary: 'Sign in to the control panel with an admin token or a directory user: sets the session cookie' })
  @ApiJsonBody(signInBody)
  async signIn(@Body() body: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SessionView> {
    const input = parseInput(signInBody, body);
    if (input.token === undefined) {
      const user = await this.directory.signIn(input.user!, input.password!, request.ip ?? '');
      const { sessionId, session } = await this.sessions.create({ directoryUser: user });
      void reply.status(HttpStatus.CREATED).header('Set-Cookie', sessionCookie(request, sessionId, PANEL_SESSION_SECONDS));
      this.logger.log(`control panel sign-in by the directory user "${user.name}" (${user.role})`);
      return { name: directoryActor(user.name), role: user.role, via: 'session', csrfToken: session.csrfToken };
    }
    const token = await this.tokens.byHash(hashToken(input.token));
    if (!token) {
      throw new ApiError('Unauthorized', 'the token is not known to this pool');
    }
    const { sessionId, session } = await this.sessions.create({ tokenId: token.id });
    void reply.status(HttpStatus.CREATED).header('Set-Cookie', sessionCookie(request, sessionId, PANEL_SESSION_SECONDS));
    this.logger.log(`control panel sign-in with token "${token.name}" (${token.role})`);
    return { name: token.name, role: token.role, via: 'session', csrfToken: session.csrfToken };
  }

  @Get(ROUTES.session)
  @RequireRole(Role.Viewer)
  @ApiOperation({ summary: "Who is calling: the token's name and role, and the session's CSRF token" })
  whoAmI(@Req() request: FastifyRequest, @Principal() principal: AdminPrincipal): SessionView {
    const session = request.panelSession;
    return {
      name: principal.name,
      role: principal.role,
      via: session ? 'session' : 'bearer',
      csrfToken: session?.csrfToken ?? null,
    };
  }

  /** Sign-out: the session ends on every node and the cookie is cleared (a change, so it needs the CSRF token). */
  @Delete(ROUTES.session)
  @RequireRole(Role.Viewer)
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Sign out of the control panel: ends the session and clears its cookie' })
  async signOut(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    if (request.panelSession) {
      await this.sessions.remove(request.panelSession.id);
    }
    void reply.header('Set-Cookie', sessionCookie(request, null, 0));
  }
}
