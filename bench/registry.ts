import { ddiPollBenchmark } from './ddi-poll.bench';
import { downloadBenchmark } from './download.bench';
import { importBenchmark } from './import.bench';
import { inventoryBenchmark } from './inventory.bench';
import { largeImportBenchmark } from './large-import.bench';
import { replicationBenchmark } from './replicate.bench';
import { scrubBenchmark } from './scrub.bench';
import { knownPhonesBenchmark, stormBenchmark, stormWithKillBenchmark } from './storm.bench';
import type { Benchmark } from './support/benchmark';
import { updateCheckBenchmark } from './update-check.bench';

/**
 * Every benchmark the runner knows (bench/main.ts, bench/README.md), in the order it runs them.
 * A new one is a `Benchmark` (support/benchmark.ts) in a file of its own, `<name>.bench.ts`, and a
 * line here: the runner gives it its environment and its options, writes its figures and puts its
 * rows in the table. Benchmarks of one environment run on one start of it.
 */
export const BENCHMARKS: readonly Benchmark[] = [
  updateCheckBenchmark,
  downloadBenchmark,
  scrubBenchmark,
  inventoryBenchmark,
  ddiPollBenchmark,
  stormBenchmark,
  stormWithKillBenchmark,
  knownPhonesBenchmark,
  replicationBenchmark,
  largeImportBenchmark,
  importBenchmark,
];
