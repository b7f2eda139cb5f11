import type { NodeActivityView } from '@ucupdates/admin-api';

/**
 * The pool at a glance (docs/decisions.md 65): each frontend counts its update checks, its downloads
 * and its checks' latency per minute in memory (a few integer additions per check, no I/O), and
 * writes each minute's totals to Redis every few seconds, where they expire after an hour; the
 * admin API reads every node's last hour back. Pure: key names, the minute record, its encoding and
 * the view made of it; the Redis calls are the frontend's.
 */

/** A minute's record of one node, kept in Redis for this long after the minute (an hour and a margin). */
export const ACTIVITY_TTL_SECONDS = 3720;
export const ACTIVITY_MINUTES = 60;
const MINUTE_MS = 60_000;

/** Upper bounds (ms) of the latency histogram each minute keeps; a last bucket takes the rest. */
export const ACTIVITY_LATENCY_BOUNDS_MS = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000] as const;

/** The hash of one minute (its start, Unix ms): node id → that node's MinuteRecord as JSON. */
export function activityKey(minuteStartMs: number): string {
  return `ucupdates:activity:${minuteStartMs}`;
}

export function minuteStart(ms: number): number {
  return ms - (ms % MINUTE_MS);
}

export interface MinuteRecord {
  /** Seconds of the minute the node counted (less than 60 in its first minute and in the current one). */
  s: number;
  /** Update checks answered. */
  c: number;
  /** File downloads answered with bytes (GET 200/206 of an update file). */
  d: number;
  /** The checks' answer times, summed (ms). */
  l: number;
  /** The checks per latency bucket (ACTIVITY_LATENCY_BOUNDS_MS, then the overflow). */
  b: number[];
}

/**
 * The counts of the current minute. `check` and `download` are the update check's and the
 * download's whole cost: additions, and a minute change noticed by one comparison.
 */
export class ActivityCounter {
  private minute: number;
  private current: MinuteRecord;
  private readonly finished: Array<{ minute: number; record: MinuteRecord }> = [];

  constructor(
    private readonly clock: () => number = Date.now,
    private readonly startedAt = clock(),
  ) {
    this.minute = minuteStart(this.startedAt);
    this.current = emptyRecord();
  }

  check(latencyMs: number): void {
    const record = this.recordNow();
    record.c += 1;
    record.l += latencyMs;
    let bucket = 0;
    while (bucket < ACTIVITY_LATENCY_BOUNDS_MS.length && latencyMs > ACTIVITY_LATENCY_BOUNDS_MS[bucket]) bucket += 1;
    record.b[bucket] += 1;
  }

  download(): void {
    this.recordNow().d += 1;
  }

  /**
   * The minutes to write: every minute finished since the last call (final), then the current one
   * as counted so far. Minutes without traffic are written too (zeros): a node that ran and was
   * idle differs from one that did not run.
   */
  take(): Array<{ minute: number; record: MinuteRecord }> {
    const now = this.clock();
    this.recordAt(now);
    const taken = this.finished.splice(0);
    taken.push({ minute: this.minute, record: { ...this.current, b: [...this.current.b], s: this.covered(this.minute, now) } });
    return taken;
  }

  private recordNow(): MinuteRecord {
    return this.recordAt(this.clock());
  }

  private recordAt(now: number): MinuteRecord {
    if (now >= this.minute + MINUTE_MS) {
      const end = this.minute + MINUTE_MS;
      this.finished.push({ minute: this.minute, record: { ...this.current, s: this.covered(this.minute, end) } });
      // Idle minutes between the last count and now, as zeros (at most an hour of them matters).
      for (let minute = end; minute < minuteStart(now) && this.finished.length <= ACTIVITY_MINUTES; minute += MINUTE_MS) {
        this.finished.push({ minute, record: { ...emptyRecord(), s: 60 } });
      }
      this.minute = minuteStart(now);
      this.current = emptyRecord();
    }
    return this.current;
  }

  private covered(minute: number, until: number): number {
    return Math.max(0, Math.round((Math.min(until, minute + MINUTE_MS) - Math.max(minute, this.startedAt)) / 100) / 10);
  }
}

function emptyRecord(): MinuteRecord {
  return { s: 0, c: 0, d: 0, l: 0, b: new Array<number>(ACTIVITY_LATENCY_BOUNDS_MS.length + 1).fill(0) };
}

/** A record read back from Redis; null for anything that is not one (a value of another version). */
export function parseMinuteRecord(text: string): MinuteRecord | null {
  try {
    const value = JSON.parse(text) as Partial<MinuteRecord>;
    const numbers = [value.s, value.c, value.d, value.l];
    if (!numbers.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0)) return null;
    if (!Array.isArray(value.b) || value.b.length !== ACTIVITY_LATENCY_BOUNDS_MS.length + 1) return null;
    return value as MinuteRecord;
  } catch {
    return null;
  }
}

/**
 * Each node's minutes, oldest first, aligned with `minutes`: rates per second over the seconds the
 * node counted, latency mean and 95th percentile (the upper bound of the bucket it falls in; the
 * overflow bucket answers the last bound); null where the node recorded nothing (it was not running)
 * or, for latency, answered no check.
 */
export function nodeActivities(minutes: readonly number[], records: ReadonlyArray<Map<string, MinuteRecord>>, nodeIds: Iterable<string>): NodeActivityView[] {
  const ids = new Set(nodeIds);
  for (const byNode of records) for (const id of byNode.keys()) ids.add(id);
  return [...ids].sort().map((id) => {
    const activity: NodeActivityView = {
      id,
      seconds: [],
      checks: [],
      downloads: [],
      checksPerSecond: [],
      downloadsPerSecond: [],
      checkLatencyMs: { mean: [], p95: [] },
    };
    minutes.forEach((_, index) => {
      const record = records[index]?.get(id);
      const rate = (count: number) => (record!.s > 0 ? round(count / record!.s) : 0);
      activity.seconds.push(record ? record.s : null);
      activity.checks.push(record ? record.c : null);
      activity.downloads.push(record ? record.d : null);
      activity.checksPerSecond.push(record ? rate(record.c) : null);
      activity.downloadsPerSecond.push(record ? rate(record.d) : null);
      activity.checkLatencyMs.mean.push(record && record.c > 0 ? round(record.l / record.c) : null);
      activity.checkLatencyMs.p95.push(record && record.c > 0 ? percentile(record.b, record.c, 0.95) : null);
    });
    return activity;
  });
}

function percentile(buckets: readonly number[], total: number, share: number): number {
  const rank = Math.ceil(total * share);
  let seen = 0;
  for (let bucket = 0; bucket < buckets.length; bucket += 1) {
    seen += buckets[bucket];
    if (seen >= rank) return ACTIVITY_LATENCY_BOUNDS_MS[Math.min(bucket, ACTIVITY_LATENCY_BOUNDS_MS.length - 1)];
  }
  return ACTIVITY_LATENCY_BOUNDS_MS[ACTIVITY_LATENCY_BOUNDS_MS.length - 1];
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The minutes the view covers: the last ACTIVITY_MINUTES, the current (partial) one last. */
export function activityMinutes(now: number): number[] {
  const current = minuteStart(now);
  return Array.from({ length: ACTIVITY_MINUTES }, (_, index) => current - (ACTIVITY_MINUTES - 1 - index) * MINUTE_MS);
}
