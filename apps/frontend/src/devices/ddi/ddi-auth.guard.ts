import { createHash, timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { type DdiTargetEntity, DdiTargetsRepository } from '@ucupdates/database';
import { isValidControllerId } from '@ucupdates/rules';
import type { FastifyRequest } from 'fastify';
import { hashToken } from '../../auth/token-hash';
import type { ListenerName } from '../../http/create-http-app';
import { DeviceError } from '../device-error';
import { addressOf } from '../device-request';
import { SignInThrottle } from '../sign-in/sign-in-throttle';

/** The listener a DDI module serves (DdiModule.on). */
export const DDI_LISTENER = Symbol('DDI_LISTENER');

/** How a DDI request was authenticated (ddi.md). */
export type DdiCredential = 'target' | 'gateway' | 'anonymous';

/** The device a DDI request speaks for, once its guard let it through. */
export interface DdiCaller {
  controllerId: string;
  /** Null for a device the pool does not know yet (only a gateway or an anonymous poll may speak for one). */
  target: DdiTargetEntity | null;
  credential: DdiCredential;
}

export interface DdiRequest extends FastifyRequest {
  ddiCaller?: DdiCaller;
}

const CHALLENGE = { 'WWW-Authenticate': 'TargetToken realm="ucupdates"' };

/** `Authorization: TargetToken <token>` or `GatewayToken <token>` (hawkBit's schemes, any case); null for anything else. */
export function ddiCredentials(header: string | undefined): { scheme: 'target' | 'gateway'; token: string } | null {
  const match = /^(TargetToken|GatewayToken)[ ]+([\x21-\x7e]{1,512})$/i.exec(header?.trim() ?? '');
  if (!match) return null;
  return { scheme: match[1].toLowerCase() === 'targettoken' ? 'target' : 'gateway', token: match[2] };
}

/** The throttle's "user" of a DDI device: its controller id, apart from phone user ids. */
const throttleKey = (controllerId: string) => `ddi:${controllerId}`;

/**
 * Who may speak for the controller id in the path (ddi.md, "Authentication"). In this order, so
 * that nothing about a device is told before its credentials are checked:
 *
 * 1. a tenant other than UCU_DDI_TENANT is a 404 (hawkBit's answer for a tenant it does not have);
 * 2. a controller id of the wrong form is a 400;
 * 3. too many wrong tokens for the device or the address, pool-wide, is a 429 (SignInThrottle);
 * 4. `TargetToken`: the token must be that very device's (the hash of its token); `GatewayToken`:
 *    UCU_DDI_GATEWAY_TOKEN, for any device, known or not; no credentials: anonymous, only on the
 *    internal listener with UCU_DDI_ANONYMOUS_INTERNAL. Anything else is a 401, and a wrong token
 *    counts towards the throttle.
 */
@Injectable()
export class DdiAuthGuard implements CanActivate {
  private readonly gatewayHash: Buffer | null;

  constructor(
    @Inject(DDI_LISTENER) private readonly listener: ListenerName,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(DdiTargetsRepository) private readonly targets: DdiTargetsRepository,
    @Inject(SignInThrottle) private readonly throttle: SignInThrottle,
  ) {
    const gateway = config.UCU_DDI_GATEWAY_TOKEN;
    this.gatewayHash = gateway ? createHash('sha256').update(gateway, 'utf8').digest() : null;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<DdiRequest>();
    const { tenant, controllerId } = request.params as { tenant: string; controllerId: string };
    if (tenant !== this.config.UCU_DDI_TENANT) {
      throw new DeviceError('NotFound', `no tenant ${JSON.stringify(tenant.slice(0, 64))}`, HttpStatus.NOT_FOUND);
    }
    if (!isValidControllerId(controllerId)) {
      throw new DeviceError('BadRequest', 'a controller id is 1-64 letters, digits, ".", "_", "-" and ":"', HttpStatus.BAD_REQUEST);
    }
    request.ddiCaller = await this.authenticate(request, controllerId);
    return true;
  }

  private async authenticate(request: FastifyRequest, controllerId: string): Promise<DdiCaller> {
    const credentials = ddiCredentials(request.headers.authorization);
    if (credentials === null) {
      if (request.headers.authorization === undefined && this.listener === 'internal' && this.config.UCU_DDI_ANONYMOUS_INTERNAL) {
        return { controllerId, target: await this.targets.byControllerId(controllerId), credential: 'anonymous' };
      }
      throw new DeviceError('AnonymousAccessNotSupported', 'a TargetToken or GatewayToken is required', HttpStatus.UNAUTHORIZED, CHALLENGE);
    }
    const address = addressOf(request);
    const retryAfter = await this.throttle.retryAfter(throttleKey(controllerId), address);
    if (retryAfter > 0) {
      throw new DeviceError('TooManyRequests', 'too many wrong tokens; try again later', HttpStatus.TOO_MANY_REQUESTS, {
        'Retry-After': String(retryAfter),
      });
    }
    const caller = await this.check(credentials, controllerId);
    if (caller === null) {
      await this.throttle.failed(throttleKey(controllerId), address);
      throw new DeviceError('AccessDenied', 'the token is not valid for this controller', HttpStatus.UNAUTHORIZED, CHALLENGE);
    }
    await this.throttle.succeeded(throttleKey(controllerId), address);
    return caller;
  }

  private async check(credentials: { scheme: 'target' | 'gateway'; token: string }, controllerId: string): Promise<DdiCaller | null> {
    if (credentials.scheme === 'gateway') {
      if (this.gatewayHash === null) return null;
      const given = createHash('sha256').update(credentials.token, 'utf8').digest();
      if (!timingSafeEqual(given, this.gatewayHash)) return null;
      return { controllerId, target: await this.targets.byControllerId(controllerId), credential: 'gateway' };
    }
    // A device's own token, and only its own: another device's token is as wrong as none.
    const target = await this.targets.byTokenHash(hashToken(credentials.token));
    return target !== null && target.controllerId === controllerId ? { controllerId, target, credential: 'target' } : null;
  }
}
