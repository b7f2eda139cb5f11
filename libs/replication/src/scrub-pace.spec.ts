import { msUntilScrubHours, ScrubPacer, scrubHoursPerDay, scrubRate } from './scrub-pace';

describe('the scrub’s pace', () => {
  it('reads the configured MB/s, is off at 0, and else spreads the store over a day’s scrub hours', () => {
    expect(scrubRate(5, 10e12, undefined)).toBe(5_000_000);
    expect(scrubRate(0, 10e12, undefined)).toBeNull();
    expect(scrubRate(undefined, 86_400e6, undefined)).toBe(1e6); // 86.4 GB in 24 h
    expect(scrubRate(undefined, 86_400e6, { from: 1, to: 7 })).toBe(4e6); // the same in 6 h a day
    expect(scrubRate(undefined, 0, undefined)).toBe(1);
  });

  it('counts the scrub hours of a day, over midnight too', () => {
    expect(scrubHoursPerDay(undefined)).toBe(24);
    expect(scrubHoursPerDay({ from: 1, to: 6 })).toBe(5);
    expect(scrubHoursPerDay({ from: 22, to: 4 })).toBe(6);
    expect(scrubHoursPerDay({ from: 5, to: 0 })).toBe(19);
  });

  it('waits until the scrub hours begin, by the local clock', () => {
    const at = (hour: number, minute = 0) => new Date(2026, 0, 10, hour, minute);
    expect(msUntilScrubHours(at(3), undefined)).toBe(0);
    expect(msUntilScrubHours(at(3), { from: 1, to: 6 })).toBe(0);
    expect(msUntilScrubHours(at(6), { from: 1, to: 6 })).toBe(19 * 3_600_000);
    expect(msUntilScrubHours(at(0, 30), { from: 1, to: 6 })).toBe(30 * 60_000);
    expect(msUntilScrubHours(at(23), { from: 22, to: 4 })).toBe(0);
    expect(msUntilScrubHours(at(3), { from: 22, to: 4 })).toBe(0);
    expect(msUntilScrubHours(at(12), { from: 22, to: 4 })).toBe(10 * 3_600_000);
  });

  it('keeps a reader at its rate without letting an allowance build up while it was away', () => {
    const pacer = new ScrubPacer(1_000_000); // 1 MB/s
    expect(pacer.delayAfter(1_000_000, 0)).toBe(1_000); // read 1 MB at once: wait a second
    expect(pacer.delayAfter(500_000, 1_000)).toBe(500);
    // A read that itself took its share's time waits no more.
    expect(pacer.delayAfter(1_000_000, 2_500)).toBe(0);
    // Back after an hour away: one read's worth at most, not an hour's.
    expect(pacer.delayAfter(1_000_000, 3_600_000)).toBe(0);
    expect(pacer.delayAfter(1_000_000, 3_600_000)).toBe(1_000);
  });
});
