/**
 * How fast and when a node's scrub reads its replica store (docs/replication.md, "The scrub").
 * Pure: the worker's scrubber asks these what to wait for; the clock is passed in.
 */

/** Hours of the node's local day in which the scrub reads: from `from`:00 to `to`:00, over midnight when `to` ≤ `from`. */
export interface ScrubHours {
  from: number;
  to: number;
}

const DAY_HOURS = 24;

/** How many of a day's hours the scrub may read in. */
export function scrubHoursPerDay(hours: ScrubHours | undefined): number {
  return hours === undefined ? DAY_HOURS : (hours.to - hours.from + DAY_HOURS) % DAY_HOURS || DAY_HOURS;
}

/**
 * Bytes per second a pass reads: the configured MB/s, or else the store's bytes spread over a
 * day's scrub hours, so a pass over the store takes a day. Null when the scrub is off (0 MB/s).
 */
export function scrubRate(configuredMbPerSecond: number | undefined, storeBytes: number, hours: ScrubHours | undefined): number | null {
  if (configuredMbPerSecond !== undefined) {
    return configuredMbPerSecond > 0 ? configuredMbPerSecond * 1_000_000 : null;
  }
  return Math.max(1, storeBytes / (scrubHoursPerDay(hours) * 3_600));
}

/** Milliseconds until the scrub hours begin (0 inside them), by the node's local clock. */
export function msUntilScrubHours(now: Date, hours: ScrubHours | undefined): number {
  if (hours === undefined) return 0;
  const hour = now.getHours();
  const inside = hours.from < hours.to ? hour >= hours.from && hour < hours.to : hour >= hours.from || hour < hours.to;
  if (inside) return 0;
  const start = new Date(now);
  start.setHours(hours.from, 0, 0, 0);
  if (start.getTime() <= now.getTime()) start.setDate(start.getDate() + 1);
  return start.getTime() - now.getTime();
}

/**
 * Keeps a reader at a rate: after reading some bytes, the reader waits what `delayAfter` says. The
 * allowance does not build up while the reader is away (paused outside the scrub hours, or busy),
 * so the rate is exceeded by one read's worth at most.
 */
export class ScrubPacer {
  private nextMs = 0;

  constructor(private readonly bytesPerSecond: number) {}

  /**
   * How long to wait, after a read of `bytes` that ended at `nowMs`, before reading on. The read's
   * own time counts towards its share: a reader held up by a slow disk does not wait again.
   */
  delayAfter(bytes: number, nowMs: number): number {
    const cost = (bytes * 1_000) / this.bytesPerSecond;
    this.nextMs = Math.max(this.nextMs, nowMs - cost) + cost;
    return Math.max(0, this.nextMs - nowMs);
  }
}
