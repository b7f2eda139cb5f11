import { type CanActivate, type ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DeviceError } from '../device-error';
import { addressOf } from '../device-request';
import { DeviceSignIn } from '../sign-in/device-sign-in';

const CHALLENGE = { 'WWW-Authenticate': 'Basic realm="ucupdates"' };

/** A request of the external listener, with the user its guard authenticated. */
export interface AuthenticatedPhoneRequest extends FastifyRequest {
  phoneUser?: string;
}

/**
 * The user id and password of a Basic `Authorization` header; null when there is none or it is not
 * Basic. Lync user ids are SIP URIs (`sip:alice@contoso.com`), whose own colon Basic does not
 * foresee: the password starts after the first colon that follows a leading `sip:`.
 */
export function basicCredentials(header: string | undefined): { userId: string; password: string } | null {
  const match = /^Basic[ ]+([A-Za-z0-9+/=]{1,2048})$/i.exec(header?.trim() ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':', /^sip:/i.test(decoded) ? 4 : 0);
  if (colon <= 0) return null;
  // Control characters (NUL among them) are in no user id or password a directory holds, and
  // Postgres cannot even compare text with NUL in it: such credentials are simply wrong.
  if (/[\u0000-\u001f\u007f]/.test(decoded)) return { userId: '', password: '' };
  return { userId: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * The user of an external phone request (phone-protocol.md, "External access"): no credentials →
 * 401 AnonymousAccessNotSupported, which makes a signed-in phone repeat the request with them;
 * credentials the directory refuses → 401 AccessDenied; too many refusals for the user or the
 * address, pool-wide → 429 with Retry-After; a directory that cannot answer → 503 with
 * Retry-After, never 401 (docs/directory.md). The external update check's route calls it, the
 * log upload through ExternalPhoneAuthGuard.
 */
export async function signedInPhoneUser(signIn: DeviceSignIn, request: FastifyRequest): Promise<string> {
  const credentials = basicCredentials(request.headers.authorization);
  if (credentials === null) {
    throw new DeviceError('AnonymousAccessNotSupported', undefined, HttpStatus.UNAUTHORIZED, CHALLENGE);
  }
  const result = await signIn.signIn(credentials.userId, credentials.password, addressOf(request));
  switch (result.outcome) {
    case 'accepted':
      return credentials.userId;
    case 'refused':
      throw new DeviceError('AccessDenied', undefined, HttpStatus.UNAUTHORIZED, CHALLENGE);
    case 'throttled':
      throw new DeviceError('TooManyRequests', 'too many failed sign-ins; try again later', HttpStatus.TOO_MANY_REQUESTS, {
        'Retry-After': String(result.retryAfterSeconds),
      });
    case 'unavailable':
      throw new DeviceError('ServiceUnavailable', 'the user directory is unavailable; try again later', HttpStatus.SERVICE_UNAVAILABLE, {
        'Retry-After': String(result.retryAfterSeconds),
      });
  }
}

/** The external listener's log upload is for signed-in users only (signedInPhoneUser). */
@Injectable()
export class ExternalPhoneAuthGuard implements CanActivate {
  constructor(@Inject(DeviceSignIn) private readonly signIn: DeviceSignIn) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedPhoneRequest>();
    request.phoneUser = await signedInPhoneUser(this.signIn, request);
    return true;
  }
}
