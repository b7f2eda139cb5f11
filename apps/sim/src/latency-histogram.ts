/**
 * Latencies of many requests in constant memory: logarithmic buckets 1 % wide from 10 µs up, so
 * a percentile is within 1 % of the true value however many requests a run makes (a steady run
 * of hours makes millions). The maximum is kept exactly.
 */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
const SMALLEST_MS = 0.01;
/** 10 µs · 1.01^2400 ≈ 2.3 hours: anything longer lands in the last bucket. */
const BUCKETS = 2400;

export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  max = 0;
  private sum = 0;

  record(ms: number): void {
    const value = Math.max(ms, 0);
    this.counts[bucketOf(value)] += 1;
    this.count += 1;
    this.sum += value;
    if (value > this.max) this.max = value;
  }

  /** Adds another histogram's counts (the progress line's window into the whole run). */
  merge(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] += other.counts[i];
    this.count += other.count;
    this.sum += other.sum;
    this.max = Math.max(this.max, other.max);
  }

  /**
   * The smallest recorded value v such that at least `quantile` of the values are ≤ v, read as
   * the upper edge of its bucket (never more than the exact maximum). 0 when nothing was recorded.
   */
  percentile(quantile: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(quantile * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(upperEdgeOf(i), this.max);
    }
    return this.max;
  }

  summary(): Percentiles {
    return {
      count: this.count,
      p50: round(this.percentile(0.5)),
      p90: round(this.percentile(0.9)),
      p99: round(this.percentile(0.99)),
      max: round(this.max),
      mean: round(this.count === 0 ? 0 : this.sum / this.count),
    };
  }
}

function bucketOf(ms: number): number {
  if (ms <= SMALLEST_MS) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / SMALLEST_MS) / LOG_GROWTH));
}

function upperEdgeOf(bucket: number): number {
  return SMALLEST_MS * GROWTH ** bucket;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
