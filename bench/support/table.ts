import type { Series } from './series';

/** One line of the benchmarks' table: a figure beside its baseline, the ratio and the goal. */
export interface TableRow {
  figure: string;
  value: string;
  baseline: string;
  ratio: string;
  goal: string;
  /** null: no goal on this line. */
  met: boolean | null;
}

/** The Markdown table the runner prints and writes to bench/results.md (docs/performance.md holds one). */
export function renderTable(rows: TableRow[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const lines = ['| figure | value: median (min–max) | baseline | ratio | goal | met? |', '|---|---:|---:|---:|---:|:---:|'];
  for (const row of rows) {
    const met = row.met === null ? '' : row.met ? 'yes' : '**no**';
    lines.push(`| ${cell(row.figure)} | ${cell(row.value)} | ${cell(row.baseline)} | ${cell(row.ratio)} | ${cell(row.goal)} | ${met} |`);
  }
  return lines.join('\n');
}

/** A line with a figure and nothing to compare it with. */
export function plainRow(figure: string, value: string, baseline = ''): TableRow {
  return { figure, value, baseline, ratio: '', goal: '', met: null };
}

export const int = (value: number): string => Math.round(value).toLocaleString('en');
export const oneDecimal = (value: number): string => `${Math.round(value * 10) / 10}`;

/** The median, and the spread over the runs when there were several: `802 (626–1,168)`. */
export function spread(series: Series, format: (value: number) => string = int): string {
  return series.runs.length > 1 ? `${format(series.median)} (${format(series.min)}–${format(series.max)})` : format(series.median);
}

export const ratioSpread = (series: Series): string => spread(series, (value) => value.toFixed(2));
