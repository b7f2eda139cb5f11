import { backoffDelayMs, DEFAULT_BACKOFF, isRetryable, parseRetryAfter } from './backoff';

describe('backoff', () => {
  it('doubles the ceiling per attempt up to the cap, with full jitter', () => {
    const policy = { baseMs: 1000, capMs: 8000 };
    expect([1, 2, 3, 4, 5, 9].map((attempt) => backoffDelayMs(policy, attempt, 0.999999))).toEqual([999, 1999, 3999, 7999, 7999, 7999]);
    expect(backoffDelayMs(policy, 3, 0)).toBe(0);
    expect(backoffDelayMs(policy, 3, 0.5)).toBe(2000);
  });

  it('never retries sooner than Retry-After', () => {
    expect(backoffDelayMs(DEFAULT_BACKOFF, 1, 0.1, 5000)).toBe(5000);
    expect(backoffDelayMs(DEFAULT_BACKOFF, 8, 0.9, 5000)).toBeGreaterThan(5000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-27T08:00:00Z');
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 08:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 07:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });

  it('retries 5xx, 429, connection errors and files that do not match; not other refusals', () => {
    expect([500, 502, 503, 429].map((status) => isRetryable({ status }))).toEqual([true, true, true, true]);
    expect([400, 401, 403, 404, 413].map((status) => isRetryable({ status }))).toEqual([false, false, false, false, false]);
    expect(isRetryable({ connectionError: true })).toBe(true);
    expect(isRetryable({ integrity: true })).toBe(true);
  });
});
