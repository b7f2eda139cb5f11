/** Socket errors: the service did not answer, or went away mid-request. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);

/** Postgres: the server is shutting down, cannot take connections now, or lost this one (SQLSTATE). */
const POSTGRES_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', '53300']);

/** What clients say when they gave up on a service that is away, without a code. */
const MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Command timed out|Connection is closed|MaxRetriesPerRequest|Stream isn't writeable/i;

/**
 * Whether an error means a service the node depends on (Postgres, Redis, the object store) is
 * away, rather than a fault of the request or of the code: answered 503, so clients retry later.
 * Looks through the wrappers TypeORM and the clients put around the cause.
 */
export function isServiceUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const { code, message, driverError, cause } = current as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || POSTGRES_CODES.has(code))) return true;
    if (typeof message === 'string' && MESSAGES.test(message)) return true;
    current = driverError ?? cause;
  }
  return false;
}
