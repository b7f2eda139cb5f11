import { HttpStatus } from '@nestjs/common';
import type { ReportedModule } from '@ucupdates/database';
import type { FastifyRequest } from 'fastify';
import type { ListenerName } from '../http/create-http-app';
import { DeviceError } from './device-error';

/** The five attributes a rule matches a device by, besides the update type. */
export interface DeviceKind {
  deviceType: string;
  /** Lync's and DDI's "vendor". */
  brand: string;
  model: string;
  revision: string;
  locale: string;
}

/**
 * A device's request as every protocol adapter describes it to the protocol-neutral services
 * (the offer, the request audit and the inventory): nothing of the wire format is left.
 */
export interface DeviceRequest {
  kind: DeviceKind;
  /** Normalised (upper-case pairs joined by `-`); null when the device sent none. */
  macAddress: string | null;
  serialNumber: string | null;
  /** A DDI device's controller id (its identity in the audit, the inventory and the test devices); null for phones. */
  controllerId: string | null;
  /** The updates the device has installed; a rule's update type it does not list, it has none of. */
  installed: readonly ReportedModule[];
  listener: ListenerName;
  /** The request's id (the load balancer's X-Request-Id or a new one). */
  requestId: string;
  /** The device's address (addressOf). */
  address: string;
  /** The signed-in user: the one the external listener authenticated, else the one the device names; null for none. */
  userId: string | null;
}

/** A host (name, IPv4 or bracketed IPv6, optional port): anything else cannot be put in a URL. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\.?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * `<scheme>://<host>` of a request as the load balancer passed it: Fastify takes
 * X-Forwarded-Proto and X-Forwarded-Host only from UCU_TRUSTED_PROXIES (trustProxy), so a device
 * downloads through the same load balancer it asked. A host that is not one is refused.
 */
export function baseUrlOf(request: FastifyRequest): string {
  const host = request.host;
  if (!host || host.length > 260 || !HOST.test(host)) {
    throw new DeviceError('BadRequest', 'the Host header is missing or is not a host name', HttpStatus.BAD_REQUEST);
  }
  return `${request.protocol}://${host}`;
}

/** The device's address (X-Forwarded-For from trusted proxies), bounded to what the audit stores. */
export function addressOf(request: FastifyRequest): string {
  // A client gone before its body was read leaves no socket address: undefined, not an error.
  return (request.ip ?? '').slice(0, 64);
}
