import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Role } from '@ucupdates/database';

/**
 * Who is calling the admin API: the token's id, name (the audit's actor) and role; for a directory
 * user signed in to the panel no token, and `ldap:<user name>` as the name (docs/directory.md).
 */
export interface AdminPrincipal {
  tokenId: string | null;
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

/** A directory user as the audit and the panel name it; no token's name may start with `ldap:`. */
export function directoryActor(name: string): string {
  return `ldap:${name}`;
}

export const Principal = createParamDecorator((_data: unknown, context: ExecutionContext): AdminPrincipal | undefined => {
  return context.switchToHttp().getRequest<import('fastify').FastifyRequest>().principal;
});
