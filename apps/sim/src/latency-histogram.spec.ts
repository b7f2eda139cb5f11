import { LatencyHistogram } from './latency-histogram';

describe('LatencyHistogram', () => {
  it('gives percentiles within 1 % of the exact ones, and the exact maximum', () => {
    const histogram = new LatencyHistogram();
    const values = Array.from({ length: 10_000 }, (_, i) => (i + 1) / 10); // 0.1 … 1000 ms
    for (const value of [...values].reverse()) histogram.record(value);
    const exact = (q: number) => values[Math.ceil(q * values.length) - 1];
    for (const q of [0.5, 0.9, 0.99]) {
      expect(Math.abs(histogram.percentile(q) - exact(q)) / exact(q)).toBeLessThanOrEqual(0.01);
    }
    expect(histogram.summary()).toMatchObject({ count: 10_000, max: 1000, mean: 500.05 });
  });

  it('is all zeros when empty, and exact for one value', () => {
    expect(new LatencyHistogram().summary()).toEqual({ count: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 });
    const one = new LatencyHistogram();
    one.record(12.5);
    expect(one.summary()).toMatchObject({ p50: 12.5, p99: 12.5, max: 12.5 });
  });

  it('merges', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (let i = 0; i < 90; i++) a.record(1);
    for (let i = 0; i < 10; i++) b.record(100);
    a.merge(b);
    expect(a.count).toBe(100);
    expect(a.percentile(0.9)).toBeCloseTo(1, 1);
    expect(a.percentile(0.99)).toBe(100);
  });
});
