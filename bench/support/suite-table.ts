/** One line of `npm run bench`'s table: a figure beside its baseline, the ratio and the goal. */
export interface SuiteRow {
  figure: string;
  value: string;
  baseline: string;
  ratio: string;
  goal: string;
  /** null: no goal on this line. */
  met: boolean | null;
}

/** The Markdown table of docs/performance.md and bench/results.md. */
export function renderSuiteTable(rows: SuiteRow[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const lines = ['| figure | value: median (min–max) | baseline | ratio | goal | met? |', '|---|---:|---:|---:|---:|:---:|'];
  for (const row of rows) {
    const met = row.met === null ? '' : row.met ? 'yes' : '**no**';
    lines.push(`| ${cell(row.figure)} | ${cell(row.value)} | ${cell(row.baseline)} | ${cell(row.ratio)} | ${cell(row.goal)} | ${met} |`);
  }
  return lines.join('\n');
}
