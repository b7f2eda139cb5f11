import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CabReader, fileHandleSource } from '../libs/cab/src';
import { ensureDebianPrograms } from '../tools/local-pool/prerequisites';
import type { Benchmark } from './support/benchmark';
import type { Progress } from './support/progress';
import { round, type Series, seriesOf } from './support/series';
import { int, plainRow, ratioSpread, spread } from './support/table';

/**
 * The import's extraction (bench/README.md, "Import"): the cab reader against cabextract on the
 * same gcab MSZIP cabinet, made of `inputMebibytes` of files (half text-like, half random, so the
 * cabinet is about 60 % of that). The figure that counts is extraction to disk with SHA-256, as the
 * importer does it, against `cabextract -d`, the two alternating, one pair per run. It needs gcab and
 * cabextract (Debian packages, installed when missing, as for the tests).
 */
export const IMPORT_GOAL = 0.8;

export interface ImportFigures {
  benchmark: 'import';
  settings: { inputMebibytes: number; runs: number };
  cabinetMebibytes: number;
  /** MiB/s of the input, per run: CabReader to disk with SHA-256, and cabextract -d to disk. */
  reader: Series;
  cabextract: Series;
  /** Per run: cabextract's time over the reader's. */
  ratio: Series;
  /** One pass each, before the runs: the reader discarding the bytes, hashing them, and `cabextract -t`. */
  passes: { readAndDiscard: number; readAndHash: number; cabextractTest: number };
  /** Peak JS heap + buffers above a pass's start (garbage included, as it is collected lazily). */
  peakMemoryMebibytes: number;
}

function makeInput(dir: string, megabytes: number): void {
  // Half text-like data (compresses ~5:1), half random (stored as-is by deflate), in files of varied sizes.
  const words = ['update', 'phone', 'firmware', 'polycom', 'catalog', 'image', 'version', 'locale', 'device'];
  let written = 0;
  for (let i = 0; written < megabytes * 1024 * 1024; i++) {
    const size = Math.min(megabytes * 1024 * 1024 - written, (1 + (i % 7)) * 1024 * 1024);
    let bytes: Buffer;
    if (i % 2 === 0) {
      const parts: string[] = [];
      let length = 0;
      for (let j = 0; length < size; j++) {
        const part = `${words[(j * 7 + i) % words.length]} ${j % 1000} `;
        parts.push(part);
        length += part.length;
      }
      bytes = Buffer.from(parts.join('')).subarray(0, size);
    } else {
      bytes = randomBytes(size);
    }
    writeFileSync(path.join(dir, `file-${i}.bin`), bytes);
    written += size;
  }
}

let peakMemory = 0;

function memoryInUse(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** `toDir`: write each file there as the importer does (hashing on the way). */
async function readerPass(cabPath: string, hash: boolean, toDir?: string): Promise<number> {
  const handle = await open(cabPath);
  const baseline = memoryInUse();
  let chunks = 0;
  const start = process.hrtime.bigint();
  try {
    const cab = await CabReader.open(fileHandleSource(handle, (await handle.stat()).size));
    let index = 0;
    for await (const entry of cab.entries()) {
      const digest = hash ? createHash('sha256') : undefined;
      const hashed = async function* (data: AsyncIterable<Buffer>) {
        for await (const chunk of data) {
          digest?.update(chunk);
          if (++chunks % 64 === 0) peakMemory = Math.max(peakMemory, memoryInUse() - baseline);
          yield chunk;
        }
      };
      if (toDir) {
        // As the importer writes: a buffered write stream behind the hash.
        await pipeline(entry.data, hashed, createWriteStream(path.join(toDir, `entry-${index++}`), { highWaterMark: 1 << 20 }));
      } else {
        for await (const _ of hashed(entry.data));
      }
      digest?.digest();
    }
  } finally {
    await handle.close();
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function timed(command: string, args: string[]): number {
  const start = process.hrtime.bigint();
  execFileSync(command, args, { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export async function runImportBenchmark(settings: { inputMebibytes: number; runs: number }, progress: Progress): Promise<ImportFigures> {
  ensureDebianPrograms({ gcab: 'gcab', cabextract: 'cabextract' }, (line) => progress.step(line));
  const { inputMebibytes, runs } = settings;
  const work = mkdtempSync(path.join(tmpdir(), 'cab-bench-'));
  try {
    progress.step(`import: making a gcab MSZIP cabinet of ${inputMebibytes} MiB of files…`);
    const input = path.join(work, 'in');
    mkdirSync(input);
    makeInput(input, inputMebibytes);
    const cabPath = path.join(work, 'bench.cab');
    execFileSync('gcab', ['-c', '-z', cabPath, ...readdirSync(input)], { cwd: input });
    rmSync(input, { recursive: true, force: true });
    const rate = (seconds: number) => round(inputMebibytes / seconds, 0);

    peakMemory = 0;
    await readerPass(cabPath, false); // warm up the JIT
    const passes = {
      readAndDiscard: rate(await readerPass(cabPath, false)),
      readAndHash: rate(await readerPass(cabPath, true)),
      cabextractTest: rate(timed('cabextract', ['-q', '-t', cabPath])),
    };
    // Extraction to disk, as the importer does it, against cabextract -d, alternated in one
    // process tree (the machine is shared and noisy).
    const reader: number[] = [];
    const cabextract: number[] = [];
    for (let run = 1; run <= runs; run++) {
      const readerDir = mkdtempSync(path.join(work, 'reader-'));
      reader.push(await readerPass(cabPath, true, readerDir));
      rmSync(readerDir, { recursive: true, force: true });
      const outDir = path.join(work, `out-${run}`);
      cabextract.push(timed('cabextract', ['-q', '-d', outDir, cabPath]));
      rmSync(outDir, { recursive: true, force: true });
      progress.step(`import run ${run}/${runs}: CabReader ${rate(reader[run - 1])} MiB/s, cabextract -d ${rate(cabextract[run - 1])} MiB/s`);
    }
    return {
      benchmark: 'import',
      settings: { inputMebibytes, runs },
      cabinetMebibytes: round(statSync(cabPath).size / 1024 / 1024, 1),
      reader: seriesOf(reader.map(rate)),
      cabextract: seriesOf(cabextract.map(rate)),
      ratio: seriesOf(reader.map((seconds, i) => round(cabextract[i] / seconds, 2))),
      passes,
      peakMemoryMebibytes: round(peakMemory / 1024 / 1024, 1),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `import` in the registry (bench/registry.ts). */
export const importBenchmark: Benchmark<'none', ImportFigures> = {
  name: 'import',
  about: 'the cab reader extracting to disk with SHA-256 against cabextract -d (gcab MSZIP cabinet)',
  environment: 'none',
  run: (_, options, progress) => runImportBenchmark({ inputMebibytes: options.importMebibytes, runs: options.runs }, progress),
  rows(figures) {
    const { passes } = figures;
    return [
      {
        figure: `import: cab reader to disk + SHA-256, MiB/s [${figures.ratio.runs.length} runs]`,
        value: spread(figures.reader),
        baseline: `cabextract -d ${spread(figures.cabextract)}`,
        ratio: ratioSpread(figures.ratio),
        goal: `≥ ${IMPORT_GOAL}`,
        met: figures.ratio.median >= IMPORT_GOAL,
      },
      plainRow(`  cabinet: ${figures.cabinetMebibytes} MiB holding ${figures.settings.inputMebibytes} MiB; read and discard / read and SHA-256, MiB/s`, `${int(passes.readAndDiscard)} / ${int(passes.readAndHash)}`, `cabextract -t ${int(passes.cabextractTest)}`),
      plainRow('  peak JS heap + buffers above a pass\'s start (MiB)', String(figures.peakMemoryMebibytes)),
    ];
  },
};
