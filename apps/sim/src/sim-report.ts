import type { Mode } from './options';
import type { Percentiles } from './latency-histogram';

/** The simulator's final report (`--json` prints it as is). */
export interface SimReport {
  mode: Mode;
  phones: number;
  /** Booted (storm), checked at least once (steady), running what the pool approves (rollout). */
  done: number;
  elapsedSeconds: number;
  /** Update checks answered 200. */
  checks: number;
  /** Every update-check request sent, the external challenges and failed ones included. */
  checkAttempts: number;
  checksPerSecond: number;
  /** Files downloaded and verified (size and SHA-256). */
  downloads: number;
  bytes: number;
  installs: number;
  restores: number;
  logUploads: number;
  retries: number;
  /** Every failed request a phone saw, retried or not. */
  errors: number;
  errorsByKind: Record<string, number>;
  checkLatencyMs: Percentiles;
  downloadLatencyMs: Percentiles;
  /** rollout: seconds from the start until every phone was current; null if that never happened. */
  fullRolloutSeconds: number | null;
  /** Per update type, how many phones run each version at the end. */
  installed: Record<string, Record<string, number>>;
  simulatorCpuSeconds: number;
  simulatorCpuMicrosecondsPerCheck: number;
  /** --ddi: checks are polls; what the devices sent besides (registered: target tokens issued before the run). */
  ddi?: { configData: number; deployments: number; cancellations: number; feedbacks: number; registered: number };
}

export function versionCounts(installed: Readonly<Record<string, string>>[]): Record<string, Record<string, number>> {
  const counts: Record<string, Record<string, number>> = {};
  for (const phone of installed) {
    for (const [updateType, version] of Object.entries(phone)) {
      const perVersion = (counts[updateType] ??= {});
      perVersion[version] = (perVersion[version] ?? 0) + 1;
    }
  }
  return counts;
}

function int(value: number): string {
  return Math.round(value).toLocaleString('en');
}

/** The report for people: one fact a line. */
export function renderReport(report: SimReport): string {
  const { ddi } = report;
  const lines = [
    `mode ${report.mode}: ${int(report.done)} of ${int(report.phones)} ${ddi ? 'DDI devices' : 'phones'} done in ${report.elapsedSeconds.toFixed(1)} s`,
    `${ddi ? 'polls        ' : 'update checks'}        ${int(report.checks)} answered (${int(report.checkAttempts)} sent), ${report.checksPerSecond.toFixed(1)}/s`,
    `${ddi ? 'poll ' : 'check'} latency (ms)   p50 ${report.checkLatencyMs.p50}  p90 ${report.checkLatencyMs.p90}  p99 ${report.checkLatencyMs.p99}  max ${report.checkLatencyMs.max}`,
    `downloads            ${int(report.downloads)} files verified, ${(report.bytes / 1e6).toFixed(1)} MB` +
      (report.downloads > 0 ? `; p50 ${report.downloadLatencyMs.p50} ms, p99 ${report.downloadLatencyMs.p99} ms` : ''),
    `installs, restores   ${int(report.installs)}, ${int(report.restores)}`,
    ...(ddi
      ? [
          `deployments          ${int(ddi.deployments)} taken, ${int(ddi.cancellations)} cancellations acknowledged, ${int(ddi.feedbacks)} feedbacks sent`,
          `configData, tokens   ${int(ddi.configData)} sent, ${int(ddi.registered)} devices registered`,
        ]
      : [`log uploads          ${int(report.logUploads)}`]),
    `errors               ${int(report.errors)} (${int(report.retries)} retried)` +
      (report.errors > 0 ? `: ${Object.entries(report.errorsByKind).map(([kind, count]) => `${kind} ${int(count)}`).join(', ')}` : ''),
  ];
  if (report.mode === 'rollout') {
    lines.push(`full rollout         ${report.fullRolloutSeconds === null ? 'NOT reached' : `${report.fullRolloutSeconds.toFixed(1)} s`}`);
  }
  for (const [updateType, versions] of Object.entries(report.installed)) {
    lines.push(`installed ${updateType.padEnd(10)} ${Object.entries(versions).sort().map(([version, count]) => `${version} × ${int(count)}`).join(', ')}`);
  }
  lines.push(`simulator CPU        ${report.simulatorCpuSeconds} s, ${report.simulatorCpuMicrosecondsPerCheck} µs per ${ddi ? 'poll' : 'check'} sent`);
  return lines.join('\n');
}

/** The live line: phones done, checks/s, downloads/s, errors. */
export function progressLine(
  progress: { elapsedSeconds: number; phones: number; done: number; checksPerSecond: number; downloadsPerSecond: number; errors: number; inFlight: number },
  ddi = false,
): string {
  return (
    `[sim] ${progress.elapsedSeconds.toFixed(0)} s · ${int(progress.done)}/${int(progress.phones)} ${ddi ? 'devices' : 'phones'} done · ` +
    `${int(progress.checksPerSecond)} ${ddi ? 'polls' : 'checks'}/s · ${int(progress.downloadsPerSecond)} downloads/s · ${int(progress.errors)} errors · ${int(progress.inFlight)} in flight`
  );
}
