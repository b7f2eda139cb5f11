import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { render as renderProfile, summarise as summariseProfile } from './cpu-profile-summary';
import { type DownloadFigures, runDownloadBenchmark } from './download.bench';
import { DEFAULT_IMAGE_BYTES, renderReplicationTable, type ReplicationFigures, runReplicationBenchmark } from './replicate.bench';
import { BENCH, BenchEnvironment, ROOT } from './support/bench-environment';
import { type ObjectStoreKind, POOL_BENCH, PoolEnvironment } from './support/pool-environment';
import { Progress } from './support/progress';
import { machine, renderTable, writeResults } from './support/report';
import { type LoadSettings, runUpdateCheckBenchmark, type UpdateCheckFigures } from './update-check.bench';

/**
 * `npm run bench:check` (bench/README.md): sets up a node with its services, runs the update-check
 * and the download benchmarks, prints the table and writes bench/results/<name>.json.
 * `npm run bench:replicate`: sets up a pool of three nodes with its services and measures
 * replication against a plain download from MinIO (replicate.bench.ts).
 * Exits 0 whether or not the goals are met (it measures); 1 when something broke; 130 on Ctrl-C.
 */

const USAGE = `usage: node bench/run.js [check] [download] [replicate] [--runs N] [--duration S] [--warmup S] [--size-mb N] [--store minio|seaweedfs] [--cpu-prof]

  check       update checks/s of one node against a bare Fastify route
  download    40 MiB downloads from one node against nginx (sendfile)
              (none named: check and download; with --cpu-prof, check)
  replicate   a 200 MB update replicated to a pool of three nodes against a plain
              download of it from MinIO (own pool, services and ports)
  --runs      measured runs per target, alternating (default 3)
  --size-mb   replicate: the image's size in MB of 10^6 bytes (default 200)
  --store     replicate: the S3 service, minio (default) or seaweedfs (built once, ~14 min)
  --duration  seconds per measured run (default 10)
  --warmup    seconds of warm-up per target (default 3)
  --cpu-prof  profile the node (node --cpu-prof; replicate: node 1's worker) and summarise
              where its time went; the figures of a profiled run are not written to bench/results/`;

type Benchmark = 'check' | 'download' | 'replicate';

interface Arguments {
  benchmarks: Set<Benchmark>;
  settings: LoadSettings;
  imageBytes: number;
  store: ObjectStoreKind;
  cpuProfile: boolean;
}

function parseArguments(argv: string[]): Arguments {
  const benchmarks = new Set<Benchmark>();
  const settings: LoadSettings = { runs: 3, durationSeconds: 10, warmupSeconds: 3 };
  let imageBytes = DEFAULT_IMAGE_BYTES;
  let cpuProfile = false;
  let store: ObjectStoreKind = 'minio';
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    const number = (name: string, min: number) => {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < min) throw new UsageError(`${name} takes a whole number of at least ${min}`);
      return value;
    };
    if (argument === 'check' || argument === 'download' || argument === 'replicate') benchmarks.add(argument);
    else if (argument === '--runs') settings.runs = number('--runs', 1);
    else if (argument === '--duration') settings.durationSeconds = number('--duration', 1);
    else if (argument === '--warmup') settings.warmupSeconds = number('--warmup', 1);
    else if (argument === '--size-mb') imageBytes = number('--size-mb', 1) * 1_000_000;
    else if (argument === '--cpu-prof') cpuProfile = true;
    else if (argument === '--store') {
      const value = argv[++i];
      if (value !== 'minio' && value !== 'seaweedfs') throw new UsageError('--store takes minio or seaweedfs');
      store = value;
    }
    else if (argument === '--help' || argument === '-h') throw new UsageError('');
    else throw new UsageError(`unknown argument "${argument}"`);
  }
  if (benchmarks.size === 0) {
    benchmarks.add('check');
    // A profile is of update checks unless downloads are asked for by name.
    if (!cpuProfile) benchmarks.add('download');
  }
  return { benchmarks, settings, imageBytes, store, cpuProfile };
}

class UsageError extends Error {}

/** What Ctrl-C stops: the environment of the benchmark running now. */
let current: { stop(): Promise<void> } | null = null;
let interrupted = false;

async function main(): Promise<number> {
  let args: Arguments;
  try {
    args = parseArguments(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message ? `${error.message}\n` : ''}${USAGE}\n`);
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
  let code = 0;
  if (args.benchmarks.has('check') || args.benchmarks.has('download')) code = await nodeBenchmarks(args, progress);
  if (code === 0 && args.benchmarks.has('replicate')) code = await replicationBenchmark(args, progress);
  return code;
}

/** check and download: one frontend node of its own (support/bench-environment.ts). */
async function nodeBenchmarks(args: Arguments, progress: Progress): Promise<number> {
  const profileDir = join(BENCH.stateDir, 'profile');
  const environment = new BenchEnvironment({ progress, cpuProfileDir: args.cpuProfile ? profileDir : undefined });
  current = environment;

  let check: UpdateCheckFigures | null = null;
  let download: DownloadFigures | null = null;
  try {
    await environment.start();
    if (args.benchmarks.has('check')) check = await runUpdateCheckBenchmark(environment, args.settings);
    if (args.benchmarks.has('download')) download = await runDownloadBenchmark(environment, args.settings);
  } catch (error) {
    if (interrupted) {
      await environment.stop();
      return 130;
    }
    progress.step(`failed: ${error instanceof Error ? error.message : String(error)}`);
    progress.step(`logs: ${relative(process.cwd(), environment.logDir)}/`);
    await environment.stop();
    return 1;
  }
  await environment.stop();

  const { settings } = args;
  const about = machine();
  process.stdout.write(
    `\nucupdates benchmarks · ${about.cpuModel} × ${about.cpus} · Node ${about.node} · ` +
      `${settings.runs} runs of ${settings.durationSeconds} s per target after ${settings.warmupSeconds} s warm-up\n\n`,
  );
  process.stdout.write(`${renderTable(check, download)}\n\n`);

  if (args.cpuProfile) {
    const profiles = existsSync(profileDir) ? readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile')) : [];
    if (profiles.length === 0) {
      progress.step(`no CPU profile was written in ${profileDir}`);
      return 1;
    }
    const file = join(profileDir, profiles[0]);
    const summary = renderProfile(summariseProfile(JSON.parse(readFileSync(file, 'utf8')), { top: 30, root: ROOT }));
    writeFileSync(join(profileDir, 'summary.txt'), `${summary}\n`);
    process.stdout.write(`${summary}\n\nprofile: ${relative(process.cwd(), file)} (open it in Chrome DevTools)\n`);
    process.stdout.write('(figures of a profiled node are not recorded in bench/results/)\n');
    return 0;
  }
  const written = [
    check && writeResults('check', check),
    download && writeResults('download', download),
  ].filter((file): file is string => Boolean(file));
  process.stdout.write(`figures and every run: ${written.map((file) => relative(process.cwd(), file)).join(', ')}\n`);
  return 0;
}

/** replicate: a pool of three nodes of its own (support/pool-environment.ts). */
async function replicationBenchmark(args: Arguments, progress: Progress): Promise<number> {
  const profileDir = join(POOL_BENCH.stateDir, 'profile');
  const environment = new PoolEnvironment({ progress, store: args.store, cpuProfileDir: args.cpuProfile ? profileDir : undefined });
  current = environment;
  let figures: ReplicationFigures;
  try {
    await environment.start();
    figures = await runReplicationBenchmark(environment, { runs: args.settings.runs, imageBytes: args.imageBytes, store: args.store });
  } catch (error) {
    if (interrupted) {
      await environment.stop();
      return 130;
    }
    progress.step(`failed: ${error instanceof Error ? error.message : String(error)}`);
    progress.step(`logs: ${relative(process.cwd(), environment.logDir)}/`);
    await environment.stop();
    return 1;
  }
  await environment.stop();

  const about = machine();
  process.stdout.write(
    `\nucupdates replication benchmark · ${about.cpuModel} × ${about.cpus} · Node ${about.node} · ` +
      `${figures.settings.runs} runs, each a plain download then replication to ${figures.settings.nodes} nodes\n\n`,
  );
  process.stdout.write(`${renderReplicationTable(figures)}\n\n`);
  if (args.cpuProfile) {
    const profiles = existsSync(profileDir) ? readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile')) : [];
    if (profiles.length === 0) {
      progress.step(`no CPU profile was written in ${profileDir}`);
      return 1;
    }
    const file = join(profileDir, profiles[0]);
    const summary = renderProfile(summariseProfile(JSON.parse(readFileSync(file, 'utf8')), { top: 30, root: ROOT }));
    writeFileSync(join(profileDir, 'summary.txt'), `${summary}\n`);
    process.stdout.write(`${summary}\n\nprofile of node-1's worker: ${relative(process.cwd(), file)} (open it in Chrome DevTools)\n`);
    process.stdout.write('(figures of a profiled worker are not recorded in bench/results/)\n');
    return 0;
  }
  const written = writeResults(args.store === 'minio' ? 'replicate' : `replicate-${args.store}`, figures);
  process.stdout.write(`figures and every run: ${relative(process.cwd(), written)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
