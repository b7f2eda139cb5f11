import type { FastifyRequest } from 'fastify';

/** The control panel's session cookie. Sent only to the admin API (`Path=/api`), never readable by scripts. */
export const SESSION_COOKIE = 'ucu_session';

/** The header the panel sends its session's CSRF token in, on every request that changes something. */
export const CSRF_HEADER = 'x-csrf-token';

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** The session id of the request's cookie, or undefined when it has none that could be one. */
export function sessionIdOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) {
    return undefined;
  }
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === SESSION_COOKIE) {
      const value = part.slice(separator + 1).trim();
      return SESSION_ID.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/**
 * `Set-Cookie` for a session (or, with `null`, one that clears it). HttpOnly so no script reads
 * it, SameSite=Strict so no other site's page sends it, Secure when the request came over https
 * (Fastify believes X-Forwarded-Proto only from UCU_TRUSTED_PROXIES).
 */
export function sessionCookie(request: FastifyRequest, sessionId: string | null, maxAgeSeconds: number): string {
  const attributes = [
    `${SESSION_COOKIE}=${sessionId ?? ''}`,
    'Path=/api',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${sessionId === null ? 0 : maxAgeSeconds}`,
  ];
  if (request.protocol === 'https') {
    attributes.push('Secure');
  }
  return attributes.join('; ');
}
