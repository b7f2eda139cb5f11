import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * Why a device's request is refused, whatever protocol it speaks. Each protocol adapter's
 * exception filter renders the code in its own form (Lync: the XML `<Error>`).
 */
export type DeviceErrorCode =
  | 'BadRequest'
  | 'AccessDenied'
  | 'AnonymousAccessNotSupported'
  | 'NotFound'
  | 'RangeNotSatisfiable'
  | 'RequestTooLarge'
  | 'TooManyRequests'
  | 'InsufficientStorage'
  | 'ServiceUnavailable';

/**
 * A refusal of a device's request: the code, words for people (none where the protocol's answer
 * has none, e.g. Lync's AnonymousAccessNotSupported) and headers the answer needs
 * (WWW-Authenticate, Retry-After). Thrown by the protocol-neutral services and the adapters alike.
 */
export class DeviceError extends HttpException {
  constructor(
    readonly code: DeviceErrorCode,
    readonly detail: string | undefined,
    status: HttpStatus,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail ?? code, status);
  }
}

/** The node has not loaded its pool state yet: the device asks again in a few seconds. */
export function nodeStarting(): DeviceError {
  return new DeviceError('ServiceUnavailable', 'the node is starting', HttpStatus.SERVICE_UNAVAILABLE, { 'Retry-After': '5' });
}
