/** .NET TimeSpan text as Lync's cmdlets show it: `d.hh:mm:ss`, or `hh:mm:ss` under a day. */
const TIMESPAN = /^(?:(\d{1,5})\.)?(\d{1,2}):([0-5]\d):([0-5]\d)$/;

/** Seconds of a TimeSpan text, or null when it is not one. */
export function parseTimeSpan(text: string): number | null {
  const match = TIMESPAN.exec(text);
  if (!match) {
    return null;
  }
  const [, days, hours, minutes, seconds] = match;
  if (Number(hours) > 23) {
    return null;
  }
  return ((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds);
}

export function formatTimeSpan(totalSeconds: number): string {
  const days = Math.floor(totalSeconds / 86_400);
  const rest = totalSeconds % 86_400;
  const clock = [Math.floor(rest / 3600), Math.floor((rest % 3600) / 60), rest % 60].map((n) => String(n).padStart(2, '0')).join(':');
  return days > 0 ? `${days}.${clock}` : clock;
}
