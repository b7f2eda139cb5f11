import type { BenchEnvironment } from './bench-environment';
import type { ObjectStoreKind, PoolEnvironment } from './pool-environment';
import type { Progress } from './progress';
import type { TableRow } from './table';

/** The runner's command line (bench/main.ts), one set for every benchmark; each reads what it uses. */
export interface BenchOptions {
  /** --runs: measured runs per target, alternating with the baseline. */
  runs: number;
  /** --duration: seconds per measured load run (check, download). */
  durationSeconds: number;
  /** --warmup: seconds of warm-up per target (check, download). */
  warmupSeconds: number;
  /** --storm-runs: storms of each kind (storm, kill). */
  stormRuns: number;
  /** --size-mb: the replicated image, in MB of 10^6 bytes (replicate). */
  imageMegabytes: number;
  /** --import-mb: the cab benchmark's MSZIP input, in MiB (import). */
  importMebibytes: number;
  /** --lzx-mb: the cab benchmark's LZX-21 input, in MiB (import). */
  lzxMebibytes: number;
  /** --large-mib: the large-import benchmark's package content, MiB (its image that less 1 MiB). */
  largeMebibytes: number;
  /** --store: the pool's S3 service (the pool's benchmarks). */
  store: ObjectStoreKind;
  /** --cpu-prof: the environment's node (pool: node 1's worker) under `node --cpu-prof`; figures not recorded. */
  cpuProfile: boolean;
}

/** What a benchmark runs against: one node (bench:check's), a pool of three, or nothing of the runner's. */
export interface Environments {
  node: BenchEnvironment;
  pool: PoolEnvironment;
  none: null;
}

export type EnvironmentKind = keyof Environments;

/**
 * One entry of the registry (bench/registry.ts). The runner starts each environment once for the
 * benchmarks named on its command line that need it, runs them in the registry's order, writes each
 * one's figures to bench/results/<results name>.json and prints every benchmark's rows in one table.
 */
export interface Benchmark<E extends EnvironmentKind = EnvironmentKind, F extends object = object> {
  /** Its name on the command line. */
  name: string;
  /** One line for the usage text. */
  about: string;
  environment: E;
  run(environment: Environments[E], options: BenchOptions, progress: Progress): Promise<F>;
  /** Its lines in the table, from its figures (also from a results file, for `--render`). */
  rows(figures: F): TableRow[];
  /** bench/results/<this>.json (default: its name). */
  resultsName?(options: BenchOptions): string;
}
