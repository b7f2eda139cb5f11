/**
 * When a phone tries again after a failed request (5xx, 429, a refused or reset connection, a
 * timeout, a file that does not match its hash): exponential backoff with full jitter, so a pool
 * that comes back is not hit by every phone at the same instant, and never sooner than the
 * server's `Retry-After`.
 */
export interface BackoffPolicy {
  /** The first retry waits up to this long. */
  baseMs: number;
  /** No wait is longer than this. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 60_000 };

/**
 * The delay before retry number `attempt` (1 for the first retry): a uniform draw in
 * [0, min(cap, base·2^(attempt-1))], raised to `retryAfterMs` when the server named one.
 * `random` is a draw in [0, 1).
 */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, random: number, retryAfterMs?: number | null): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.floor(random * ceiling);
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

/** Whether a failure is worth trying again: the server's fault or its load, never the request's. */
export function isRetryable(failure: { status?: number; connectionError?: boolean; integrity?: boolean }): boolean {
  if (failure.connectionError || failure.integrity) return true;
  const status = failure.status ?? 0;
  return status === 429 || (status >= 500 && status <= 599);
}
