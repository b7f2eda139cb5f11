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

/**
 * Carries the request id to every log line written while a request is handled. Entered only by
 * runInRequestContext, so that it is enabled only while a request that has a context is in flight.
 */
export const requestContext = new AsyncLocalStorage<RequestContext>();

/** Requests in flight that entered a context. */
let requestsInContext = 0;

/**
 * Runs `work` (and everything it starts) in `context` for a request whose answer is `response`.
 * Node 20 calls a promise hook for every promise of the process, whichever request made it, while
 * an AsyncLocalStorage is enabled: three times the cost of an `await` (docs/performance.md). So
 * the storage is disabled again once the last request in a context has closed its answer; the
 * hot path (update checks, which take no context) then runs without the hook between two admin
 * or health requests. Work a request left running after its answer loses its request id then.
 */
export function runInRequestContext(context: RequestContext, response: NodeJS.EventEmitter, work: () => void): void {
  requestsInContext += 1;
  response.once('close', leaveRequestContext);
  requestContext.run(context, work);
}

function leaveRequestContext(): void {
  requestsInContext -= 1;
  if (requestsInContext === 0) requestContext.disable();
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * The request id: the load balancer's `X-Request-Id` when it sent a sane one (so a request can be
 * followed from HAProxy's log to the node's), else a new UUID.
 */
export function requestIdOf(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}
