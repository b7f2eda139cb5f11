import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess, waitForPort } from '../../tools/local-pool/processes';
import { BENCH, type BenchEnvironment, ROOT } from './bench-environment';
import { failuresOf, type LoadRun } from './load-generator';
import type { Progress } from './progress';
import { round, type Series, seriesOf } from './series';

/**
 * What the node benchmarks of requests (update checks, DDI polls) share: the bare Fastify
 * baseline (bench/baseline/bare-fastify-server.js), the runs taking turns with it on the same
 * machine, and the figures of a target's runs.
 */

export interface LoadSettings {
  /** Measured runs per target, alternating baseline and node. */
  runs: number;
  warmupSeconds: number;
  durationSeconds: number;
}

export interface TargetFigures {
  requestsPerSecond: Series;
  /** Medians over the runs of each run's percentile. */
  latencyMs: { p50: number; p99: number };
  /** Server CPU time per answer, over all measured runs. */
  cpuMicrosecondsPerRequest: number;
  /** The same for the machine's Postgres (the node's audit writes; other databases' work too). */
  postgresCpuMicrosecondsPerRequest: number;
  /** The same for the load generator: what the other core had left. */
  clientCpuMicrosecondsPerRequest: number;
  runs: LoadRun[];
}

/** The constant answers the baseline gives: the update check's (XML, POST) and the DDI poll's (JSON, GET). */
export interface BaselineAnswers {
  check?: string;
  ddiPoll?: string;
}

/** Starts bare Fastify on the baseline port with these answers; the caller stops it. */
export async function startBareFastify(environment: BenchEnvironment, answers: BaselineAnswers): Promise<ManagedProcess> {
  const files: Record<string, string> = {};
  if (answers.check !== undefined) writeFileSync((files.BENCH_ANSWER_FILE = join(BENCH.stateDir, 'baseline-answer.xml')), answers.check);
  if (answers.ddiPoll !== undefined) writeFileSync((files.BENCH_DDI_ANSWER_FILE = join(BENCH.stateDir, 'baseline-ddi-poll.json')), answers.ddiPoll);
  const baseline = environment.track(
    new ManagedProcess({
      name: 'bare-fastify',
      command: process.execPath,
      args: [join(ROOT, 'bench/baseline/bare-fastify-server.js')],
      cwd: ROOT,
      env: { PATH: process.env.PATH, NODE_ENV: 'production', BENCH_PORT: String(BENCH.ports.baseline), BENCH_HOST: BENCH.host, ...files },
      logFile: join(environment.logDir, 'bare-fastify.log'),
    }),
  );
  await environment.whileRunning(baseline, waitForPort(BENCH.host, BENCH.ports.baseline));
  return baseline;
}

export type Target = 'node' | 'baseline';

/**
 * A warm-up of each target, then `runs` measured runs taking turns (baseline, node, …); a run with
 * a failed request measures nothing and ends the benchmark. The node's 2xx answers are counted
 * (its audit rows are checked against them).
 */
export async function alternateRuns(
  what: string,
  settings: LoadSettings,
  progress: Progress,
  logDir: string,
  load: (target: Target, label: string, seconds: number) => Promise<LoadRun>,
): Promise<{ node: LoadRun[]; baseline: LoadRun[]; nodeAnswers200: number }> {
  const measured = { node: [] as LoadRun[], baseline: [] as LoadRun[], nodeAnswers200: 0 };
  for (const target of ['baseline', 'node'] as const) {
    const warmup = await load(target, `${target} warm-up`, settings.warmupSeconds);
    if (target === 'node') measured.nodeAnswers200 += warmup.answered2xx;
    progress.step(`warm-up ${target}: ${Math.round(warmup.requestsPerSecond).toLocaleString('en')} answers/s`);
  }
  for (let run = 1; run <= settings.runs; run++) {
    for (const target of ['baseline', 'node'] as const) {
      const result = await load(target, `${target} run ${run}/${settings.runs}`, settings.durationSeconds);
      const failure = failuresOf(result);
      if (failure) throw new Error(`${what} run failed: ${failure}; see ${logDir}`);
      measured[target].push(result);
      if (target === 'node') measured.nodeAnswers200 += result.answered2xx;
      progress.step(
        `${target} run ${run}/${settings.runs}: ${Math.round(result.requestsPerSecond).toLocaleString('en')} answers/s, ` +
          `p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms`,
      );
    }
  }
  return measured;
}

export function figuresOf(runs: LoadRun[]): TargetFigures {
  const answers = runs.reduce((sum, run) => sum + run.answered2xx, 0);
  const cpu = runs.reduce((sum, run) => sum + run.serverCpuSeconds, 0);
  const postgres = runs.reduce((sum, run) => sum + run.postgresCpuSeconds, 0);
  const client = runs.reduce((sum, run) => sum + run.clientCpuSeconds, 0);
  return {
    requestsPerSecond: roundedSeries(seriesOf(runs.map((run) => run.requestsPerSecond))),
    latencyMs: {
      p50: seriesOf(runs.map((run) => run.latencyMs.p50)).median,
      p99: seriesOf(runs.map((run) => run.latencyMs.p99)).median,
    },
    cpuMicrosecondsPerRequest: round((cpu / answers) * 1e6, 1),
    postgresCpuMicrosecondsPerRequest: round((postgres / answers) * 1e6, 1),
    clientCpuMicrosecondsPerRequest: round((client / answers) * 1e6, 1),
    runs,
  };
}

function roundedSeries(series: Series): Series {
  return {
    runs: series.runs.map((value) => round(value, 0)),
    min: round(series.min, 0),
    median: round(series.median, 0),
    max: round(series.max, 0),
  };
}
