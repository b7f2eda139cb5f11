import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Role } from '@ucupdates/database';

/** Who is calling the admin API: the token's id, name (the audit's actor) and role. */
export interface AdminPrincipal {
  tokenId: string;
  name: string;
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: AdminPrincipal;
    /** Set when the request was authenticated by the control panel's session cookie. */
    panelSession?: { id: string; csrfToken: string };
  }
}

export const Principal = createParamDecorator((_data: unknown, context: ExecutionContext): AdminPrincipal | undefined => {
  return context.switchToHttp().getRequest<import('fastify').FastifyRequest>().principal;
});
