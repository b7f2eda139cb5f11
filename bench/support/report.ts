import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { DownloadFigures } from '../download.bench';
import type { UpdateCheckFigures } from '../update-check.bench';
import type { Series } from './series';

export const RESULTS_DIR = join(__dirname, '..', 'results');

/** Where and when the figures were taken: they only compare with figures of the same machine. */
export function machine() {
  return {
    at: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
  };
}

/** bench/results/<name>.json: the figures and every run, for the record and for `npm run bench`. */
export function writeResults(name: string, figures: object): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ machine: machine(), ...figures }, null, 2)}\n`);
  return file;
}

type Row = [figure: string, node: string, baseline: string, ratio: string, goal: string, met: string];

/** The table of stdout: one line per figure, the node beside what it is measured against. */
export function renderTable(check: UpdateCheckFigures | null, download: DownloadFigures | null): string {
  const rows: Row[] = [['figure', 'node', 'baseline', 'ratio', 'goal', 'met?']];
  if (check) {
    const { node, baseline } = check;
    rows.push(
      [`update checks/s (median of ${node.runs.length}) vs bare Fastify`, int(node.requestsPerSecond.median), int(baseline.requestsPerSecond.median), check.ratio.toFixed(2), `≥ ${check.goal.minRatio}`, yes(check.goal.met)],
      ['  runs min – max', spread(node.requestsPerSecond), spread(baseline.requestsPerSecond), '', '', ''],
      ['  latency p50 / p99 (ms)', `${node.latencyMs.p50} / ${node.latencyMs.p99}`, `${baseline.latencyMs.p50} / ${baseline.latencyMs.p99}`, '', '', ''],
      ['  server CPU per answer (µs)', String(node.cpuMicrosecondsPerRequest), String(baseline.cpuMicrosecondsPerRequest), '', '', ''],
      ['  Postgres CPU per answer (µs)', String(node.postgresCpuMicrosecondsPerRequest), '', '', '', ''],
      ['  audit rows per statement / ms per statement', `${check.auditWrites.meanRowsPerStatement} / ${check.auditWrites.meanWriteMs}`, '', '', '', ''],
      ['  load generator CPU per request (µs)', String(node.clientCpuMicrosecondsPerRequest), String(baseline.clientCpuMicrosecondsPerRequest), '', '', ''],
    );
  }
  if (download) {
    const { node, nginx, memory } = download;
    rows.push(
      [`download MB/s (median of ${node.runs.length}) vs nginx sendfile`, int(node.megabytesPerSecond.median), int(nginx.megabytesPerSecond.median), download.ratio.toFixed(2), `≥ ${download.goals.minRatio}`, yes(download.goals.ratioMet)],
      ['  runs min – max', spread(node.megabytesPerSecond), spread(nginx.megabytesPerSecond), '', '', ''],
      ['  server CPU s per GB', String(node.cpuSecondsPerGigabyte), String(nginx.cpuSecondsPerGigabyte), '', '', ''],
      ['node memory growth while serving (MB)', `${memory.growthMB} (${int(memory.beforeMB)} → ${int(memory.peakMB)})`, '', '', `≤ ${download.goals.maxMemoryGrowthMB}`, yes(download.goals.memoryMet)],
    );
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: Row) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join('   ')
      .trimEnd();
  return [line(rows[0]), widths.map((width) => '─'.repeat(width)).join('   '), ...rows.slice(1).map(line)].join('\n');
}

function int(value: number): string {
  return Math.round(value).toLocaleString('en');
}

function spread(series: Series): string {
  return `${int(series.min)} – ${int(series.max)}`;
}

function yes(met: boolean): string {
  return met ? 'yes' : 'NO';
}
