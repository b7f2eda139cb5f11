import { HttpStatus } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { PhoneError } from '../errors/phone-error';

/** A host (name, IPv4 or bracketed IPv6, optional port): anything else cannot be put in a URL. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\.?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * `<scheme>://<host>` of a request as the load balancer passed it: Fastify takes
 * X-Forwarded-Proto and X-Forwarded-Host only from UCU_TRUSTED_PROXIES (trustProxy), so a phone
 * downloads through the same load balancer it asked. A host that is not one is refused.
 */
export function baseUrlOf(request: FastifyRequest): string {
  const host = request.host;
  if (!host || host.length > 260 || !HOST.test(host)) {
    throw new PhoneError('BadRequest', 'the Host header is missing or is not a host name', HttpStatus.BAD_REQUEST);
  }
  return `${request.protocol}://${host}`;
}

/** The phone's address (X-Forwarded-For from trusted proxies), bounded to what the audit stores. */
export function addressOf(request: FastifyRequest): string {
  // A client gone before its body was read leaves no socket address: undefined, not an error.
  return (request.ip ?? '').slice(0, 64);
}

/** The user the external listener's guard authenticated. */
export interface AuthenticatedPhoneRequest extends FastifyRequest {
  phoneUser?: string;
}
