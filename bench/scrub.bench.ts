import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from '../tools/local-pool/processes';
import { type BenchEnvironment, ROOT } from './support/bench-environment';
import { failuresOf, type LoadRun, runLoad } from './support/load-generator';
import { cpuSeconds } from './support/process-sampler';
import { round, type Series, seriesOf } from './support/series';
import type { Benchmark } from './support/benchmark';
import { plainRow, ratioSpread, spread } from './support/table';
import type { LoadSettings } from './support/versus-baseline';

/** Goal (issue 16): a scrub at its default rate costs a serving node at most 5 % of its checks/s. */
export const SCRUB_COST_GOAL = 0.95;
const CONNECTIONS = 100;
const CHECK_PATH = '/RequestHandler/ucdevice.upx';
/**
 * The default rate of a 1 TB store (a full pass a day): 10¹² bytes over 86,400 s. The bench's own
 * store is 42 MB, whose default rate (under 0.001 MB/s) costs nothing measurable; this is the
 * largest default rate a pool is likely to run, read here from the page cache over and over.
 */
export const TERABYTE_DEFAULT_RATE_MB_S = round(1e12 / 86_400 / 1e6, 1);

type Mode = 'off' | 'default' | 'terabyte';

export interface ScrubCostFigures {
  benchmark: 'scrub-cost';
  settings: LoadSettings & { connections: number; storeBytes: number; rates: Record<Mode, string> };
  /** Update checks/s of the node with its worker running, by the worker's scrub. */
  checksPerSecond: Record<Mode, Series>;
  /** Worker CPU seconds per second of run, by mode. */
  workerCpuPerSecond: Record<Mode, number>;
  /** Each round's checks/s with the scrub over the same round's without it (the runs take turns), by mode: the median is what the goal is judged on, as in the other benchmarks. */
  ratios: { default: Series; terabyte: Series };
  goal: { minRatio: number; met: boolean };
  runs: Record<Mode, LoadRun[]>;
}

/**
 * What a scrub costs a serving node: update checks/s of bench:check's node (100 connections, the
 * same device identities) with the node's worker running, its scrub off, at its default rate for
 * this store, and at the default rate of a 1 TB store; the three take turns, each run after the
 * worker has been restarted with that setting (the scrub's rate is configuration).
 */
export async function runScrubCostBenchmark(environment: BenchEnvironment, settings: LoadSettings): Promise<ScrubCostFigures> {
  const { progress, catalog } = environment;
  const rates: Record<Mode, string | undefined> = { off: '0', default: undefined, terabyte: String(TERABYTE_DEFAULT_RATE_MB_S) };
  const logFile = join(environment.logDir, 'worker.log');
  const workers = Object.fromEntries(
    (Object.keys(rates) as Mode[]).map((mode) => {
      const env: NodeJS.ProcessEnv = { ...environment.nodeEnv };
      delete env.UCU_SCRUB_RATE_MB_S;
      if (rates[mode] !== undefined) env.UCU_SCRUB_RATE_MB_S = rates[mode];
      return [mode, new ManagedProcess({ name: `worker (scrub ${mode})`, command: process.execPath, args: [join(ROOT, 'dist/apps/worker/apps/worker/src/main.js')], cwd: ROOT, env, logFile })];
    }),
  ) as Record<Mode, ManagedProcess>;

  const logLines = (text: string) => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split(text).length - 1 : 0);
  /** Starts the mode's worker and waits until it runs (and, with a scrub, until its first pass began). */
  async function startWorker(mode: Mode): Promise<ManagedProcess> {
    const marker = mode === 'off' ? 'the scrub of the replica store is off' : 'scrub pass over';
    const before = logLines(marker);
    const worker = environment.track(workers[mode]);
    const deadline = Date.now() + 60_000;
    while (logLines(marker) === before) {
      if (!worker.running) throw new Error(`${worker.name} exited; see ${logFile}`);
      if (Date.now() > deadline) throw new Error(`${worker.name} did not start within 60 s; see ${logFile}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return worker;
  }

  let next = 0;
  const nextBody = () => catalog.checks[next++ % catalog.checks.length].body;
  const load = (label: string, seconds: number) =>
    runLoad(
      {
        label: `update checks · ${label}`,
        url: `${environment.nodeUrl}${CHECK_PATH}`,
        method: 'POST',
        headers: { 'Content-Type': 'text/xml' },
        nextBody,
        connections: CONNECTIONS,
        durationSeconds: seconds,
        serverPid: environment.nodePid,
      },
      progress,
    );

  // The first start reconciles the seeded store (hashes every file once): done before measuring.
  progress.step('starting the node’s worker once, to reconcile the seeded replica store…');
  await (await startWorker('off')).stop();
  const measured: Record<Mode, LoadRun[]> = { off: [], default: [], terabyte: [] };
  const cpu: Record<Mode, { seconds: number; cpu: number }> = { off: { seconds: 0, cpu: 0 }, default: { seconds: 0, cpu: 0 }, terabyte: { seconds: 0, cpu: 0 } };
  await load('warm-up', settings.warmupSeconds);
  for (let run = 1; run <= settings.runs; run++) {
    for (const mode of Object.keys(rates) as Mode[]) {
      const worker = await startWorker(mode);
      const cpuBefore = cpuSeconds(worker.pid!);
      const result = await load(`scrub ${mode} run ${run}/${settings.runs}`, settings.durationSeconds);
      cpu[mode].cpu += cpuSeconds(worker.pid!) - cpuBefore;
      cpu[mode].seconds += result.seconds;
      await worker.stop();
      const failure = failuresOf(result);
      if (failure) throw new Error(`update-check run failed: ${failure}; see ${environment.logDir}`);
      measured[mode].push(result);
      progress.step(`scrub ${mode} run ${run}/${settings.runs}: ${Math.round(result.requestsPerSecond).toLocaleString('en')} answers/s`);
    }
  }
  const checksPerSecond = Object.fromEntries(
    (Object.keys(measured) as Mode[]).map((mode) => [mode, seriesOf(measured[mode].map((run) => round(run.requestsPerSecond, 0)))]),
  ) as Record<Mode, Series>;
  const ratio = (mode: Mode) => seriesOf(measured[mode].map((run, i) => round(run.requestsPerSecond / measured.off[i].requestsPerSecond, 3)));
  const ratios = { default: ratio('default'), terabyte: ratio('terabyte') };
  const storeBytes = storeSize(environment);
  return {
    benchmark: 'scrub-cost',
    settings: {
      ...settings,
      connections: CONNECTIONS,
      storeBytes,
      rates: { off: '0 (off)', default: `unset: ${round(storeBytes / 86_400 / 1e6, 6)} MB/s for this store`, terabyte: `${TERABYTE_DEFAULT_RATE_MB_S} MB/s` },
    },
    checksPerSecond,
    workerCpuPerSecond: Object.fromEntries((Object.keys(cpu) as Mode[]).map((mode) => [mode, round(cpu[mode].cpu / cpu[mode].seconds, 3)])) as Record<Mode, number>,
    ratios,
    goal: { minRatio: SCRUB_COST_GOAL, met: ratios.default.median >= SCRUB_COST_GOAL },
    runs: measured,
  };
}

/** `scrub` in the registry (bench/registry.ts): what the worker's scrub costs the node's update checks. */
export const scrubBenchmark: Benchmark<'node', ScrubCostFigures> = {
  name: 'scrub',
  about: "update checks/s of one node with its worker's scrub off, at its default rate and at a 1 TB store's",
  environment: 'node',
  run: runScrubCostBenchmark,
  rows(figures) {
    const { checksPerSecond: checks, workerCpuPerSecond: cpu, ratios, runs } = figures;
    return [
      {
        figure: `update checks/s with a scrub at its default rate (${figures.settings.rates.default}) [${runs.off.length} runs]`,
        value: spread(checks.default),
        baseline: `scrub off ${spread(checks.off)}`,
        ratio: ratioSpread(ratios.default),
        goal: `≥ ${SCRUB_COST_GOAL}`,
        met: ratios.default.median >= SCRUB_COST_GOAL,
      },
      {
        figure: `  with a scrub at ${figures.settings.rates.terabyte} (a 1 TB store's default rate)`,
        value: spread(checks.terabyte),
        baseline: `scrub off ${spread(checks.off)}`,
        ratio: ratioSpread(ratios.terabyte),
        goal: `≥ ${SCRUB_COST_GOAL}`,
        met: ratios.terabyte.median >= SCRUB_COST_GOAL,
      },
      plainRow('  worker CPU s per s: scrub off / default / 1 TB rate', `${cpu.off} / ${cpu.default} / ${cpu.terabyte}`),
    ];
  },
};

/** Bytes the node's replica store holds. */
function storeSize(environment: BenchEnvironment): number {
  let bytes = 0;
  for (const directory of readdirSync(environment.replicaDir)) {
    for (const name of readdirSync(join(environment.replicaDir, directory))) bytes += statSync(join(environment.replicaDir, directory, name)).size;
  }
  return bytes;
}
