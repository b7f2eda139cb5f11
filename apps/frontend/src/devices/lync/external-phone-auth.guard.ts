import { type CanActivate, type ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { PhoneDirectory } from '@ucupdates/phone-directory';
import type { FastifyRequest } from 'fastify';
import { DeviceError } from '../device-error';
import { addressOf } from '../device-request';
import { SignInThrottle } from '../sign-in/sign-in-throttle';

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
 * The external listener's update check and log upload are for signed-in users only
 * (phone-protocol.md, "External access"): no credentials → 401 AnonymousAccessNotSupported, which
 * makes a signed-in phone repeat the request with them; credentials the directory refuses → 401
 * AccessDenied; too many refusals for the user or the address, pool-wide → 429 with Retry-After.
 */
@Injectable()
export class ExternalPhoneAuthGuard implements CanActivate {
  constructor(
    @Inject(PhoneDirectory) private readonly directory: PhoneDirectory,
    @Inject(SignInThrottle) private readonly throttle: SignInThrottle,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedPhoneRequest>();
    const credentials = basicCredentials(request.headers.authorization);
    if (credentials === null) {
      throw new DeviceError('AnonymousAccessNotSupported', undefined, HttpStatus.UNAUTHORIZED, CHALLENGE);
    }
    const address = addressOf(request);
    const retryAfter = await this.throttle.retryAfter(credentials.userId, address);
    if (retryAfter > 0) {
      throw new DeviceError('TooManyRequests', 'too many failed sign-ins; try again later', HttpStatus.TOO_MANY_REQUESTS, {
        'Retry-After': String(retryAfter),
      });
    }
    const accepted =
      credentials.userId !== '' &&
      credentials.userId.length <= 256 &&
      credentials.password.length <= 1024 &&
      (await this.directory.authenticate(credentials.userId, credentials.password));
    if (!accepted) {
      await this.throttle.failed(credentials.userId, address);
      throw new DeviceError('AccessDenied', undefined, HttpStatus.UNAUTHORIZED, CHALLENGE);
    }
    await this.throttle.succeeded(credentials.userId, address);
    request.phoneUser = credentials.userId;
    return true;
  }
}
