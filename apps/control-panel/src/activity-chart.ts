/** The Pool page's small charts of a node's last hour (pure, so it is tested alone). */

export interface Sparkline {
  /** An SVG path: a line per run of minutes with figures, broken where a minute has none. */
  path: string;
  /** The figure of the top edge: the largest value, or 1 when all are 0 or missing. */
  top: number;
  /** The last minute with a figure (the current one, as far as it goes), or null. */
  latest: number | null;
  peak: number | null;
}

export function sparkline(values: ReadonlyArray<number | null>, width: number, height: number): Sparkline {
  const figures = values.filter((value): value is number => value !== null);
  const peak = figures.length === 0 ? null : Math.max(...figures);
  const top = peak === null || peak <= 0 ? 1 : peak;
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const parts: string[] = [];
  let drawing = false;
  values.forEach((value, index) => {
    if (value === null) {
      drawing = false;
      return;
    }
    const x = round(index * step);
    // A one-pixel margin keeps the line inside the box at 0 and at the peak.
    const y = round(height - 1 - (value / top) * (height - 2));
    parts.push(`${drawing ? 'L' : 'M'}${x} ${y}`);
    drawing = true;
  });
  const latest = [...values].reverse().find((value) => value !== null) ?? null;
  return { path: parts.join(' '), top, latest, peak };
}

/** `2.35`, `0.5`, `12`: at most two decimals, none when whole. */
export function figure(value: number | null): string {
  return value === null ? '—' : String(Math.round(value * 100) / 100);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
