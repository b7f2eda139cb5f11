import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { render as renderProfile, summarise as summariseProfile } from './cpu-profile-summary';
import { BENCHMARKS } from './registry';
import type { Benchmark, BenchOptions, EnvironmentKind, Environments } from './support/benchmark';
import { BENCH, BenchEnvironment, ROOT } from './support/bench-environment';
import { POOL_BENCH, PoolEnvironment } from './support/pool-environment';
import { Progress } from './support/progress';
import { machine, RESULTS_DIR, writeResults } from './support/report';
import { renderTable, type TableRow } from './support/table';

/**
 * The one runner of the benchmarks (bench/README.md): `npm run bench` runs every benchmark of the
 * registry (bench/registry.ts), `npm run bench:check`, `bench:replicate` and `bench:import` some of
 * them by name. Each environment (one node, a pool of three) is set up once for the benchmarks that
 * need it, one environment after the other so none loads the machine under another's figures.
 * Prints one table of every figure beside its baseline, writes each benchmark's figures to
 * bench/results/<name>.json and the table to bench/results.md.
 * Exits 0 when every benchmark measured (goals met or not), 1 when one broke (the others still
 * run), 2 on a wrong argument, 130 on Ctrl-C.
 */

const DEFAULTS: BenchOptions = {
  runs: 3,
  durationSeconds: 10,
  warmupSeconds: 3,
  stormRuns: 3,
  imageMegabytes: 200,
  importMebibytes: 88,
  lzxMebibytes: 400,
  largeMebibytes: 2048,
  store: 'minio',
  cpuProfile: false,
};

type NumberOption = { [K in keyof BenchOptions]: BenchOptions[K] extends number ? K : never }[keyof BenchOptions];

/** The numeric options: flag, field, and its line of the usage text. */
const NUMBER_OPTIONS: [flag: string, field: NumberOption, help: string][] = [
  ['--runs', 'runs', `measured runs per target, alternating with its baseline (default ${DEFAULTS.runs})`],
  ['--duration', 'durationSeconds', `check, download: seconds per measured run (default ${DEFAULTS.durationSeconds})`],
  ['--warmup', 'warmupSeconds', `check, download: seconds of warm-up per target (default ${DEFAULTS.warmupSeconds})`],
  ['--storm-runs', 'stormRuns', `storm, kill, known: measured runs of each, about 70 s per storm and 25 s per known run (default ${DEFAULTS.stormRuns})`],
  ['--size-mb', 'imageMegabytes', `replicate: the image, MB of 10^6 bytes (default ${DEFAULTS.imageMegabytes})`],
  ['--import-mb', 'importMebibytes', `import: the MSZIP cabinet's content, MiB (default ${DEFAULTS.importMebibytes})`],
  ['--lzx-mb', 'lzxMebibytes', `import: the LZX-21 cabinet's content, MiB (default ${DEFAULTS.lzxMebibytes})`],
  ['--large-mib', 'largeMebibytes', `large-import: the package's content, MiB (default ${DEFAULTS.largeMebibytes})`],
];

const USAGE = [
  'usage: node bench/run.js [NAME …] [OPTION …] | --render',
  '',
  ...BENCHMARKS.map((benchmark) => `  ${benchmark.name.padEnd(15)}${benchmark.about}`),
  '                 (none named: every one)',
  ...NUMBER_OPTIONS.map(([flag, , help]) => `  ${`${flag} N`.padEnd(17)}${help}`),
  '  --store S        the pool\'s S3 service: minio (default) or seaweedfs (built once, ~14 min)',
  '  --cpu-prof       profile the node (the pool: node 1\'s worker) and summarise where its time went;',
  '                   the figures of a profiled run are not written to bench/results/',
  '  --render         the table again from bench/results/*.json',
].join('\n');

class UsageError extends Error {}

interface Arguments {
  selected: Benchmark[];
  options: BenchOptions;
  render: boolean;
}

function parseArguments(argv: string[]): Arguments {
  const options: BenchOptions = { ...DEFAULTS };
  const names = new Set<string>();
  let render = false;
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    const numeric = NUMBER_OPTIONS.find(([flag]) => flag === argument);
    if (numeric) {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 1) throw new UsageError(`${argument} takes a whole number of at least 1`);
      options[numeric[1]] = value;
    } else if (argument === '--store') {
      const value = argv[++i];
      if (value !== 'minio' && value !== 'seaweedfs') throw new UsageError('--store takes minio or seaweedfs');
      options.store = value;
    } else if (argument === '--cpu-prof') options.cpuProfile = true;
    else if (argument === '--render') render = true;
    else if (argument === '--help' || argument === '-h') throw new UsageError('');
    else if (BENCHMARKS.some((benchmark) => benchmark.name === argument)) names.add(argument);
    else throw new UsageError(`unknown argument "${argument}"`);
  }
  const selected = BENCHMARKS.filter((benchmark) => names.size === 0 || names.has(benchmark.name));
  return { selected, options, render };
}

const resultsName = (benchmark: Benchmark, options: BenchOptions) => benchmark.resultsName?.(options) ?? benchmark.name;

/** What Ctrl-C stops: the environment running now. */
let current: { stop(): Promise<void> } | null = null;
let interrupted = false;

interface Run {
  options: BenchOptions;
  progress: Progress;
  figures: Map<Benchmark, object>;
  failures: Map<string, string>;
}

async function main(): Promise<number> {
  let args: Arguments;
  try {
    args = parseArguments(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message ? `${error.message}\n` : ''}${USAGE}\n`);
    return 2;
  }
  if (args.render) return renderSaved(args);

  const progress = new Progress();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      progress.step(`${signal}: stopping everything the benchmark started…`);
      void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
    });
  }
  const started = Date.now();
  const run: Run = { options: args.options, progress, figures: new Map(), failures: new Map() };
  const kinds = [...new Set(args.selected.map((benchmark) => benchmark.environment))];
  for (const kind of kinds) {
    await runInEnvironment(kind, args.selected.filter((benchmark) => benchmark.environment === kind), run);
  }

  const rows: TableRow[] = [];
  const written: string[] = [];
  for (const [benchmark, figures] of run.figures) {
    rows.push(...benchmark.rows(figures));
    if (!args.options.cpuProfile) written.push(writeResults(resultsName(benchmark, args.options), figures));
  }
  const table = tableOf(rows, run.failures, Math.round((Date.now() - started) / 1000));
  process.stdout.write(`\n${table}\n`);
  if (args.options.cpuProfile) {
    process.stdout.write('(figures of a profiled run are not recorded in bench/results/)\n');
  } else if (written.length > 0) {
    writeFileSync(join(__dirname, 'results.md'), table);
    process.stdout.write(`figures and every run: ${written.map((file) => relative(process.cwd(), file)).join(', ')}; the table: bench/results.md\n`);
  }
  return run.failures.size > 0 ? 1 : 0;
}

/** Sets up one environment, runs its benchmarks on it, and stops it; a failure is recorded, the others still run. */
async function runInEnvironment(kind: EnvironmentKind, benchmarks: Benchmark[], run: Run): Promise<void> {
  const { options, progress } = run;
  const profileDir = kind === 'none' ? null : join(kind === 'node' ? BENCH.stateDir : POOL_BENCH.stateDir, 'profile');
  const cpuProfileDir = options.cpuProfile && profileDir ? profileDir : undefined;
  const environment: Environments[EnvironmentKind] =
    kind === 'node'
      ? new BenchEnvironment({ progress, cpuProfileDir })
      : kind === 'pool'
        ? new PoolEnvironment({ progress, store: options.store, cpuProfileDir })
        : null;
  const failed = (name: string, error: unknown) => {
    if (interrupted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    run.failures.set(name, environment ? `${message} (logs: ${relative(process.cwd(), environment.logDir)}/)` : message);
    progress.step(`${name} failed: ${message}`);
  };
  current = environment;
  try {
    await environment?.start();
    for (const benchmark of benchmarks) {
      try {
        run.figures.set(benchmark, await benchmark.run(environment, options, progress));
      } catch (error) {
        failed(benchmark.name, error);
      }
    }
  } catch (error) {
    for (const benchmark of benchmarks) failed(benchmark.name, error);
  } finally {
    await environment?.stop();
    current = null;
  }
  if (cpuProfileDir) printProfile(cpuProfileDir, kind === 'pool' ? "node 1's worker" : 'the node', progress);
}

function printProfile(dir: string, whose: string, progress: Progress): void {
  const profiles = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.cpuprofile')) : [];
  if (profiles.length === 0) {
    progress.step(`no CPU profile was written in ${dir}`);
    return;
  }
  const file = join(dir, profiles[0]);
  const summary = renderProfile(summariseProfile(JSON.parse(readFileSync(file, 'utf8')), { top: 30, root: ROOT }));
  writeFileSync(join(dir, 'summary.txt'), `${summary}\n`);
  process.stdout.write(`${summary}\n\nprofile of ${whose}: ${relative(process.cwd(), file)} (open it in Chrome DevTools)\n`);
}

function tableOf(rows: TableRow[], failures: Map<string, string>, seconds: number): string {
  const about = machine();
  const header =
    `ucupdates benchmarks · ${about.cpuModel} × ${about.cpus} · Node ${about.node} · ${about.at} · ` +
    `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  const failed = [...failures].map(([name, message]) => `- **${name} failed**: ${message.split('\n')[0]}`);
  return `${header}\n\n${renderTable(rows)}\n${failed.length > 0 ? `\n${failed.join('\n')}\n` : ''}`;
}

/** `--render`: the table again from the figures in bench/results/ (after a change to the rows). */
function renderSaved(args: Arguments): number {
  const rows: TableRow[] = [];
  for (const benchmark of args.selected) {
    const file = join(RESULTS_DIR, `${resultsName(benchmark, args.options)}.json`);
    if (existsSync(file)) rows.push(...benchmark.rows(JSON.parse(readFileSync(file, 'utf8')) as object));
  }
  process.stdout.write(`${renderTable(rows)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(interrupted ? 130 : 1));
  },
);
