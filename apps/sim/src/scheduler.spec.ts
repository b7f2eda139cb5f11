import { bootTimes, EventHeap } from './scheduler';

describe('EventHeap', () => {
  it('pops events in time order', () => {
    const heap = new EventHeap<string>();
    const times = [5, 1, 9, 3, 3, 0, 7];
    times.forEach((at, i) => heap.push({ at, item: `e${i}`, generation: 0 }));
    const popped: number[] = [];
    while (heap.size > 0) popped.push(heap.pop()!.at);
    expect(popped).toEqual([...times].sort((a, b) => a - b));
    expect(heap.pop()).toBeUndefined();
  });
});

describe('bootTimes', () => {
  it('spreads boots over the window, sorted', () => {
    let seed = 0;
    const times = bootTimes(1000, 60_000, () => ((seed = (seed * 16807 + 1) % 2147483647) / 2147483647));
    expect(times).toHaveLength(1000);
    expect(times[0]).toBeGreaterThanOrEqual(0);
    expect(times[999]).toBeLessThan(60_000);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(times.filter((time) => time < 30_000).length).toBeGreaterThan(400);
  });
});
