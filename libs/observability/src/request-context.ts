import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface RequestContext {
  requestId: string;
  /**
   * Set by an admin change whose new state some active nodes had not confirmed serving within
   * the bounded wait (architecture.md §3): the answer names them (`X-UCU-Unconfirmed-Nodes`).
   */
  unconfirmedNodes?: string[];
}

/** Carries the request id to every log line written while a request is handled. */
export const requestContext = new AsyncLocalStorage<RequestContext>();

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * The request id: the load balancer's `X-Request-Id` when it sent a sane one (so a request can be
 * followed from HAProxy's log to the node's), else a new UUID.
 */
export function requestIdOf(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}
