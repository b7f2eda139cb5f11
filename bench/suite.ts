import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { DownloadFigures } from './download.bench';
import { runDownloadBenchmark } from './download.bench';
import { type StormFigures, runStormBenchmark, seedStormCatalogue, STORM_PHONES, STORM_SECONDS } from './storm.bench';
import { BenchEnvironment, ROOT } from './support/bench-environment';
import { PoolEnvironment } from './support/pool-environment';
import { Progress } from './support/progress';
import { machine } from './support/report';
import { round, type Series, seriesOf } from './support/series';
import { renderSuiteTable, type SuiteRow } from './support/suite-table';
import { runUpdateCheckBenchmark, type UpdateCheckFigures } from './update-check.bench';

/**
 * `npm run bench` (docs/performance.md): every benchmark against its baseline, one after the
 * other so none loads the machine under another's figures, in this one process tree:
 *
 *  1. one node (bench:check's environment): update checks vs bare Fastify, downloads vs nginx;
 *  2. a pool of three nodes behind HAProxy (bench:replicate's environment): the 80,000-phone
 *     storm, the same storm with a node killed halfway, and replication vs a plain MinIO download;
 *  3. the cab reader vs cabextract (libs/cab/bench, as `npm run bench:import` runs it).
 *
 * Writes bench/results.json (every figure and every run) and bench/results.md (the table), both
 * git-ignored. Exit 0 when every benchmark measured (goals met or not), 1 when one broke (the
 * others still run), 130 on Ctrl-C.
 */

type Part = 'check' | 'download' | 'storm' | 'kill' | 'replicate' | 'import';
const PARTS: Part[] = ['check', 'download', 'storm', 'kill', 'replicate', 'import'];

interface Arguments {
  runs: number;
  stormRuns: number;
  parts: Set<Part>;
  replicationMegabytes: number;
}

const USAGE = `usage: node bench/suite.js [--runs N] [--storm-runs N] [--only PART,…] [--replicate-mb N] | --render

  --runs N          measured runs per figure (default 3)
  --storm-runs N    storms of 80,000 phones, each kind (default 3; a storm takes about 70 s)
  --only PARTS      some of ${PARTS.join(', ')} (default all)
  --replicate-mb N  the replicated image, MB (default 100)`;

function parseArguments(argv: string[]): Arguments {
  const args: Arguments = { runs: 3, stormRuns: 3, parts: new Set(PARTS), replicationMegabytes: 100 };
  for (let i = 0; i < argv.length; i++) {
    const number = () => {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 1) throw new Error(`${argv[i - 1]} takes a whole number of at least 1\n${USAGE}`);
      return value;
    };
    switch (argv[i]) {
      case '--runs': args.runs = number(); break;
      case '--storm-runs': args.stormRuns = number(); break;
      case '--replicate-mb': args.replicationMegabytes = number(); break;
      case '--only': {
        const parts = (argv[++i] ?? '').split(',') as Part[];
        if (parts.some((part) => !PARTS.includes(part))) throw new Error(`--only takes some of ${PARTS.join(', ')}\n${USAGE}`);
        args.parts = new Set(parts);
        break;
      }
      default: throw new Error(`unknown argument "${argv[i]}"\n${USAGE}`);
    }
  }
  return args;
}

interface ImportFigures {
  benchmark: 'import';
  inputMiB: number;
  /** MiB/s of the input, per round: CabReader to disk with SHA-256, cabextract -d to disk. */
  reader: Series;
  cabextract: Series;
  ratio: Series;
  output: string;
}

interface Results {
  machine: ReturnType<typeof machine>;
  seconds: number;
  settings: Omit<Arguments, 'parts'> & { parts: Part[] };
  check?: UpdateCheckFigures;
  download?: DownloadFigures;
  storm?: StormFigures;
  stormWithKill?: StormFigures;
  replication?: unknown;
  import?: ImportFigures;
  failures: Record<string, string>;
  rows: SuiteRow[];
}

let current: { stop(): Promise<void> } | null = null;
let interrupted = false;

/** `--render`: the table again from bench/results.json (after a change to the table's layout). */
function render(): number {
  const results = JSON.parse(readFileSync(join(__dirname, 'results.json'), 'utf8')) as Results;
  results.rows = rowsOf(results);
  writeOut(results);
  return 0;
}

function writeOut(results: Results): void {
  const table = renderSuiteTable(results.rows);
  const header =
    `ucupdates benchmarks · ${results.machine.cpuModel} × ${results.machine.cpus} · Node ${results.machine.node} · ` +
    `${results.machine.at} · ${Math.floor(results.seconds / 60)} min ${results.seconds % 60} s`;
  const failures = Object.entries(results.failures).map(([name, message]) => `- **${name} failed**: ${message.split('\n')[0]}`);
  const markdown = `${header}\n\n${table}\n${failures.length ? `\n${failures.join('\n')}\n` : ''}`;
  writeFileSync(join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(__dirname, 'results.md'), markdown);
  process.stdout.write(`\n${markdown}\nfigures and every run: ${relative(process.cwd(), join(__dirname, 'results.json'))}, table: ${relative(process.cwd(), join(__dirname, 'results.md'))}\n`);
}

async function main(): Promise<number> {
  if (process.argv[2] === '--render') return render();
  let args: Arguments;
  try {
    args = parseArguments(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const progress = new Progress();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      progress.step(`${signal}: stopping everything the benchmark started…`);
      void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
    });
  }
  const started = Date.now();
  const results: Results = { machine: machine(), seconds: 0, settings: { ...args, parts: [...args.parts] }, failures: {}, rows: [] };
  const settings = { runs: args.runs, durationSeconds: 10, warmupSeconds: 3 };

  const attempt = async (name: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      if (interrupted) throw error;
      results.failures[name] = error instanceof Error ? error.message : String(error);
      progress.step(`${name} failed: ${results.failures[name]}`);
    }
  };

  if (args.parts.has('check') || args.parts.has('download')) {
    await attempt('one node', async () => {
      const environment = new BenchEnvironment({ progress });
      current = environment;
      try {
        await environment.start();
        if (args.parts.has('check')) await attempt('check', async () => void (results.check = await runUpdateCheckBenchmark(environment, settings)));
        if (args.parts.has('download')) await attempt('download', async () => void (results.download = await runDownloadBenchmark(environment, settings)));
      } finally {
        await environment.stop();
        current = null;
      }
    });
  }

  if (args.parts.has('storm') || args.parts.has('kill') || args.parts.has('replicate')) {
    await attempt('pool', async () => {
      const environment = new PoolEnvironment({ progress });
      current = environment;
      try {
        await environment.start();
        if (args.parts.has('storm') || args.parts.has('kill')) {
          await seedStormCatalogue(environment);
          if (args.parts.has('storm')) {
            await attempt('storm', async () => void (results.storm = await runStormBenchmark(environment, { runs: args.stormRuns, killHalfway: false })));
          }
          if (args.parts.has('kill')) {
            await attempt('storm with a node killed', async () => void (results.stormWithKill = await runStormBenchmark(environment, { runs: args.stormRuns, killHalfway: true })));
          }
        }
        if (args.parts.has('replicate')) {
          await attempt('replicate', async () => {
            // Hook: replication vs a plain MinIO download is bench:replicate's (replicate.bench.ts),
            // run here on the same pool when that module is present.
            const module = join(__dirname, 'replicate.bench.ts');
            if (!existsSync(module)) throw new Error('bench/replicate.bench.ts is not there yet: no replication figure');
            const { runReplicationBenchmark } = require(module) as typeof import('./replicate.bench');
            results.replication = await runReplicationBenchmark(environment, { runs: args.runs, imageBytes: args.replicationMegabytes * 1_000_000, store: 'minio' });
          });
        }
      } finally {
        await environment.stop();
        current = null;
      }
    });
  }

  if (args.parts.has('import')) {
    await attempt('import', async () => void (results.import = await runImportBenchmark(progress)));
  }

  results.seconds = Math.round((Date.now() - started) / 1000);
  results.rows = rowsOf(results);
  writeOut(results);
  return Object.keys(results.failures).length > 0 ? 1 : 0;
}

/** libs/cab/bench/extract-throughput.ts in a child process (as `npm run bench:import` runs it), its rounds read from its output. */
function runImportBenchmark(progress: Progress): Promise<ImportFigures> {
  const megabytes = 88;
  progress.step(`import: CabReader vs cabextract -d on a ${megabytes} MiB gcab MSZIP cabinet, 3 rounds (libs/cab/bench)…`);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(ROOT, 'libs/cab/bench/run.js'), 'extract-throughput.ts', String(megabytes)], { cwd: ROOT, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`libs/cab/bench failed: ${error.message}\n${stderr}`));
      const seconds = (pattern: RegExp) => [...stdout.matchAll(pattern)].map((match) => Number(match[1]));
      const reader = seconds(/^CabReader to disk \+ SHA-256 \(\d\)\s+([\d.]+) s/gm);
      const cabextract = seconds(/^cabextract -d to disk \(\d\)\s+([\d.]+) s/gm);
      if (reader.length === 0 || reader.length !== cabextract.length) return reject(new Error(`unexpected output of libs/cab/bench:\n${stdout}`));
      const rate = (values: number[]) => seriesOf(values.map((value) => round(megabytes / value, 0)));
      progress.step(`import: ${stdout.trim().split('\n').pop()}`);
      resolve({
        benchmark: 'import',
        inputMiB: megabytes,
        reader: rate(reader),
        cabextract: rate(cabextract),
        ratio: seriesOf(reader.map((value, i) => round(cabextract[i] / value, 2))),
        output: stdout,
      });
    });
  });
}

const ms = (value: number) => `${round(value, 1)}`;
const int = (value: number) => Math.round(value).toLocaleString('en');
const spread = (series: Series, format: (value: number) => string = int) =>
  series.runs.length > 1 ? `${format(series.median)} (${format(series.min)}–${format(series.max)})` : format(series.median);
const ratioSpread = (series: Series) => spread(series, (value) => value.toFixed(2));

function rowsOf(results: Results): SuiteRow[] {
  const rows: SuiteRow[] = [];
  const { check, download, storm, stormWithKill } = results;
  if (check) {
    const ratios = seriesOf(check.node.runs.map((run, i) => run.requestsPerSecond / check.baseline.runs[i].requestsPerSecond));
    rows.push(
      { figure: `update checks/s, one node (100 connections) [${check.node.runs.length} runs]`, value: spread(check.node.requestsPerSecond), baseline: `bare Fastify ${spread(check.baseline.requestsPerSecond)}`, ratio: ratioSpread(ratios), goal: '≥ 0.6', met: ratios.median >= 0.6 },
      { figure: '  latency p50 / p99 (ms)', value: `${check.node.latencyMs.p50} / ${check.node.latencyMs.p99}`, baseline: `${check.baseline.latencyMs.p50} / ${check.baseline.latencyMs.p99}`, ratio: '', goal: '', met: null },
      { figure: '  server CPU per answer (µs)', value: String(check.node.cpuMicrosecondsPerRequest), baseline: String(check.baseline.cpuMicrosecondsPerRequest), ratio: (check.baseline.cpuMicrosecondsPerRequest / check.node.cpuMicrosecondsPerRequest).toFixed(2), goal: '', met: null },
    );
  }
  const stormRows = (figures: StormFigures, title: string) => {
    const offered = figures.settings.phones / figures.settings.withinSeconds;
    // Answers per second from the first boot until the last phone was answered: below the offered
    // rate when the pool falls behind (the storm then lasts longer than its boot window).
    const rate = seriesOf(figures.runs.map((run) => run.report.checksPerSecond));
    rows.push(
      { figure: `${title} [${figures.runs.length} runs]: checks/s, first boot to last answer`, value: spread(rate), baseline: `offered ${int(offered)}`, ratio: ratioSpread(seriesOf(rate.runs.map((value) => value / offered))), goal: '≥ 1.0', met: rate.median / offered >= 0.99 },
      { figure: '  check latency p50 / p99 (ms)', value: `${spread(figures.latencyMs.p50, ms)} / ${spread(figures.latencyMs.p99, ms)}`, baseline: '', ratio: '', goal: '', met: null },
      { figure: '  errors phones saw', value: spread(figures.errors), baseline: '', ratio: '', goal: '0', met: figures.errors.max === 0 },
      { figure: '  audit rows of answered checks: all in Postgres after (ms)', value: spread(figures.auditLagMs), baseline: '', ratio: '', goal: '', met: null },
      { figure: '  simulator CPU per check (µs)', value: spread(figures.simulatorCpuMicrosecondsPerCheck), baseline: '', ratio: '', goal: '', met: null },
    );
  };
  if (storm) stormRows(storm, `storm: ${int(STORM_PHONES)} phones boot within ${STORM_SECONDS} s, 3 nodes + HAProxy`);
  if (stormWithKill) stormRows(stormWithKill, 'the same storm, node 2 SIGKILLed halfway');
  if (download) {
    const ratios = seriesOf(download.node.runs.map((run, i) => run.bytesPerSecond / download.nginx.runs[i].bytesPerSecond));
    rows.push(
      { figure: `download MB/s, 40 MiB image, 50 clients [${download.node.runs.length} runs]`, value: spread(download.node.megabytesPerSecond), baseline: `nginx sendfile ${spread(download.nginx.megabytesPerSecond)}`, ratio: ratioSpread(ratios), goal: '≥ 0.8', met: ratios.median >= 0.8 },
      { figure: '  node memory growth while serving (MB)', value: String(download.memory.growthMB), baseline: '', ratio: '', goal: '≤ 100', met: download.goals.memoryMet },
    );
  }
  if (results.import) {
    const figures = results.import;
    rows.push({ figure: `import: cab reader to disk + SHA-256, MiB/s [${figures.ratio.runs.length} runs]`, value: spread(figures.reader), baseline: `cabextract -d ${spread(figures.cabextract)}`, ratio: ratioSpread(figures.ratio), goal: '≥ 0.8', met: figures.ratio.median >= 0.8 });
  }
  const replication = results.replication as
    | { settings: { runs: number; imageBytes: number }; plain: { megabytesPerSecond: Series }; pool: { megabytesPerSecond: Series; ratio: number }; nodes: { nodeId: string; megabytesPerSecond: Series; ratio: number }[]; goal: { minRatio: number; met: boolean } }
    | undefined;
  if (replication) {
    const slowest = replication.nodes.reduce((a, b) => (a.ratio <= b.ratio ? a : b));
    rows.push(
      { figure: `replication of a ${int(replication.settings.imageBytes / 1e6)} MB image, slowest node, MB/s [${replication.settings.runs} runs]`, value: `${slowest.nodeId} ${spread(slowest.megabytesPerSecond)}`, baseline: `plain MinIO download ${spread(replication.plain.megabytesPerSecond)}`, ratio: slowest.ratio.toFixed(2), goal: `≥ ${replication.goal.minRatio}`, met: replication.goal.met },
      { figure: '  all three nodes together, MB/s', value: spread(replication.pool.megabytesPerSecond), baseline: '', ratio: replication.pool.ratio.toFixed(2), goal: '', met: null },
    );
  }
  return rows;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(interrupted ? 130 : 1));
  },
);
