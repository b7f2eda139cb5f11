import { expiryCutoff, isDue, latestDueMoment } from './log-clean-up-schedule';

const at = (iso: string) => new Date(iso);
const ms = (iso: string) => Date.parse(iso);

describe('latestDueMoment', () => {
  it("is today's time of day once it has passed", () => {
    expect(latestDueMoment(at('2026-03-10T03:00:00Z'), '03:00')).toBe(ms('2026-03-10T03:00:00Z'));
    expect(latestDueMoment(at('2026-03-10T17:45:12Z'), '03:00')).toBe(ms('2026-03-10T03:00:00Z'));
  });

  it("is yesterday's time of day before it", () => {
    expect(latestDueMoment(at('2026-03-10T02:59:59.999Z'), '03:00')).toBe(ms('2026-03-09T03:00:00Z'));
    expect(latestDueMoment(at('2026-01-01T00:10:00Z'), '23:30')).toBe(ms('2025-12-31T23:30:00Z'));
  });

  it('counts the time of day in UTC, minutes included', () => {
    expect(latestDueMoment(at('2026-03-10T00:00:00Z'), '00:00')).toBe(ms('2026-03-10T00:00:00Z'));
    expect(latestDueMoment(at('2026-03-10T12:34:00Z'), '12:35')).toBe(ms('2026-03-09T12:35:00Z'));
  });

  it('is the start of the hour when no time of day is set', () => {
    expect(latestDueMoment(at('2026-03-10T17:45:12.5Z'), null)).toBe(ms('2026-03-10T17:00:00Z'));
    expect(latestDueMoment(at('2026-03-10T18:00:00Z'), null)).toBe(ms('2026-03-10T18:00:00Z'));
  });

  it('refuses a time of day that is not HH:MM', () => {
    expect(() => latestDueMoment(at('2026-03-10T17:45:12Z'), '24:00')).toThrow('not a time of day');
    expect(() => latestDueMoment(at('2026-03-10T17:45:12Z'), '3:00')).toThrow('not a time of day');
  });
});

describe('isDue', () => {
  const moment = ms('2026-03-10T03:00:00Z');

  it('is due when never done, or last done before the moment', () => {
    expect(isDue(moment, null)).toBe(true);
    expect(isDue(moment, ms('2026-03-09T03:00:00Z'))).toBe(true);
  });

  it('is not due again once the moment was done', () => {
    expect(isDue(moment, moment)).toBe(false);
  });

  it('follows a time of day moved earlier: the new moment is due at once', () => {
    const doneAtFive = ms('2026-03-09T05:00:00Z');
    const now = at('2026-03-10T04:00:00Z');
    expect(isDue(latestDueMoment(now, '03:00'), doneAtFive)).toBe(true);
  });

  it('follows a time of day moved later: not again until the new time comes', () => {
    const doneAtThree = ms('2026-03-10T03:00:00Z');
    expect(isDue(latestDueMoment(at('2026-03-10T04:00:00Z'), '05:00'), doneAtThree)).toBe(false);
    expect(isDue(latestDueMoment(at('2026-03-10T05:00:00Z'), '05:00'), doneAtThree)).toBe(true);
  });
});

describe('expiryCutoff', () => {
  it('is the clean-up interval before now', () => {
    expect(expiryCutoff(at('2026-03-10T03:00:00Z'), 10 * 86_400)).toEqual(at('2026-02-28T03:00:00Z'));
  });
});
