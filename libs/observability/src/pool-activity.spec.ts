import { ActivityCounter, activityMinutes, minuteStart, nodeActivities, parseMinuteRecord } from './pool-activity';

const T0 = Date.UTC(2026, 11, 3, 7, 0, 0);

describe('ActivityCounter', () => {
  it('counts checks, downloads and latency per minute, the current one as far as it goes', () => {
    let now = T0 + 30_000;
    const counter = new ActivityCounter(() => now);
    counter.check(3);
    counter.check(40);
    counter.download();
    now = T0 + 45_000;
    const [current] = counter.take();
    expect(current).toEqual({ minute: T0, record: { s: 15, c: 2, d: 1, l: 43, b: [0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0] } });
  });

  it('closes a minute when the next begins, writes idle minutes as zeros, and starts the new one empty', () => {
    let now = T0 + 10_000;
    const counter = new ActivityCounter(() => now);
    counter.check(1);
    now = T0 + 3 * 60_000 + 6_000;
    counter.check(9000);
    const taken = counter.take();
    expect(taken.map(({ minute, record }) => [minute - T0, record.s, record.c])).toEqual([
      [0, 50, 1],
      [60_000, 60, 0],
      [120_000, 60, 0],
      [180_000, 6, 1],
    ]);
    expect(taken[3].record.b.at(-1)).toBe(1);
    expect(counter.take().map(({ minute }) => minute - T0)).toEqual([180_000]);
  });
});

describe('nodeActivities', () => {
  it('answers rates per second, mean and 95th percentile latency, null where a node recorded nothing', () => {
    const minutes = [T0, T0 + 60_000];
    const busy = { s: 60, c: 120, d: 6, l: 600, b: [0, 0, 100, 14, 6, 0, 0, 0, 0, 0, 0, 0, 0] };
    const idle = { s: 30, c: 0, d: 0, l: 0, b: new Array(13).fill(0) };
    const view = nodeActivities(minutes, [new Map([['node-1', busy]]), new Map([['node-1', idle], ['node-2', busy]])], ['node-3']);
    expect(view).toEqual([
      { id: 'node-1', seconds: [60, 30], checks: [120, 0], downloads: [6, 0], checksPerSecond: [2, 0], downloadsPerSecond: [0.1, 0], checkLatencyMs: { mean: [5, null], p95: [10, null] } },
      { id: 'node-2', seconds: [null, 60], checks: [null, 120], downloads: [null, 6], checksPerSecond: [null, 2], downloadsPerSecond: [null, 0.1], checkLatencyMs: { mean: [null, 5], p95: [null, 10] } },
      { id: 'node-3', seconds: [null, null], checks: [null, null], downloads: [null, null], checksPerSecond: [null, null], downloadsPerSecond: [null, null], checkLatencyMs: { mean: [null, null], p95: [null, null] } },
    ]);
  });

  it('covers the last hour, the current minute last', () => {
    const minutes = activityMinutes(T0 + 90_500);
    expect(minutes).toHaveLength(60);
    expect(minutes.at(-1)).toBe(minuteStart(T0 + 90_500));
    expect(minutes[0]).toBe(T0 + 60_000 - 59 * 60_000);
  });

  it('reads back only what it wrote', () => {
    expect(parseMinuteRecord('{"s":1,"c":2,"d":0,"l":3,"b":[0,0,0,0,0,0,0,0,0,0,0,0,2]}')).toMatchObject({ c: 2 });
    expect(parseMinuteRecord('{"s":1,"c":2}')).toBeNull();
    expect(parseMinuteRecord('nope')).toBeNull();
  });
});
