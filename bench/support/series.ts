/** The figures of one target over the measured runs: each run's value and their spread. */
export interface Series {
  runs: number[];
  min: number;
  median: number;
  max: number;
}

export function seriesOf(values: number[]): Series {
  if (values.length === 0) throw new Error('no runs to summarise');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { runs: values, min: sorted[0], median, max: sorted[sorted.length - 1] };
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
