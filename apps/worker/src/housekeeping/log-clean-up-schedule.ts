/**
 * When the device log clean-up is due (Lync's LogCleanUpTimeOfDay): once a day at that time
 * (UTC, `HH:MM`), or at the start of every hour when no time is set. The clean-up job runs often
 * (every minute); each run asks for the latest moment the clean-up was due and runs it only if
 * that moment was not done yet, so a changed time of day takes effect at once, and a pool that was
 * down at the time cleans up as soon as it is back.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** The latest moment at or before `now` at which the clean-up was due, in ms since 1970. */
export function latestDueMoment(now: Date, timeOfDay: string | null): number {
  const at = now.getTime();
  if (timeOfDay === null) {
    return at - (at % HOUR_MS);
  }
  const match = TIME_OF_DAY.exec(timeOfDay);
  if (!match) {
    throw new Error(`"${timeOfDay}" is not a time of day (HH:MM)`);
  }
  const offset = (Number(match[1]) * 60 + Number(match[2])) * 60_000;
  const today = at - (at % DAY_MS) + offset;
  return today <= at ? today : today - DAY_MS;
}

/** Whether the moment is still to be done, given the last moment done (null: never). */
export function isDue(dueMoment: number, lastDone: number | null): boolean {
  return lastDone === null || lastDone < dueMoment;
}

/** Logs uploaded before this are expired: older than the clean-up interval. */
export function expiryCutoff(now: Date, intervalSeconds: number): Date {
  return new Date(now.getTime() - intervalSeconds * 1000);
}
