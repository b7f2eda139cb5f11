import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CabCompression, CabReader, fileHandleSource } from '../libs/cab/src';
import { writeAndDigest } from '../libs/hashing/src';
import { writeLzxCabinet } from '../test/support/lzx-cab-writer';
import { ensureDebianPrograms } from '../tools/local-pool/prerequisites';
import type { Benchmark } from './support/benchmark';
import type { Progress } from './support/progress';
import { round, type Series, seriesOf } from './support/series';
import { int, plainRow, ratioSpread, spread } from './support/table';

/**
 * The import's extraction (bench/README.md, "Import"): the cab reader against cabextract on the
 * same gcab MSZIP cabinet, made of `inputMebibytes` of files (half text-like, half random, so the
 * cabinet is about 60 % of that), and on an LZX-21 cabinet of `lzxMebibytes` of the same kind of
 * files made by test/support/lzx-cab-writer.ts (gcab writes no LZX). The figures that count are
 * extraction to disk with SHA-256, as the importer does it, against `cabextract -d`, the two
 * alternating, one pair per run. It needs gcab and cabextract (Debian packages, installed when
 * missing, as for the tests).
 */
export const IMPORT_GOAL = 0.8;

export interface ImportSettings {
  inputMebibytes: number;
  lzxMebibytes: number;
  runs: number;
}

/** One cabinet's to-disk runs against cabextract -d. */
export interface ExtractionFigures {
  /** MiB/s of the input, per run: CabReader to disk with SHA-256, and cabextract -d to disk. */
  reader: Series;
  cabextract: Series;
  /** Per run: cabextract's time over the reader's. */
  ratio: Series;
  /**
   * CPU seconds per run, every thread counted: the reader's process (its event loop, libuv's pool
   * writing and reading, the collector) and cabextract's. Unlike MiB/s, which a loaded machine
   * moves by a factor of two and not equally for both (a process of several threads gets more of
   * two busy cores than one of a single thread), these say what each side costs.
   */
  readerCpuSeconds?: Series;
  cabextractCpuSeconds?: Series;
}

export interface ImportFigures extends ExtractionFigures {
  benchmark: 'import';
  settings: ImportSettings;
  cabinetMebibytes: number;
  /** One pass each, before the runs: the reader discarding the bytes, hashing them, and `cabextract -t`. */
  passes: { readAndDiscard: number; readAndHash: number; cabextractTest: number };
  /** Peak JS heap + buffers above a pass's start (garbage included, as it is collected lazily). */
  peakMemoryMebibytes: number;
  /** The same on the LZX-21 cabinet, and the seconds its writer took. */
  lzx: ExtractionFigures & { cabinetMebibytes: number; writeSeconds: number };
}

const WORDS = ['update', 'phone', 'firmware', 'polycom', 'catalog', 'image', 'version', 'locale', 'device'];

/** The input's files: sizes of 1 to 7 MiB, `megabytes` MiB in all. */
function inputSizes(megabytes: number): number[] {
  const sizes: number[] = [];
  for (let i = 0, written = 0; written < megabytes * 1024 * 1024; i++) {
    sizes.push(Math.min(megabytes * 1024 * 1024 - written, (1 + (i % 7)) * 1024 * 1024));
    written += sizes[i];
  }
  return sizes;
}

/** File `i`: even ones text-like data (compresses ~5:1), odd ones random (stored as it is). */
function fileContent(i: number, size: number): Buffer {
  if (i % 2 === 1) return randomBytes(size);
  const parts: string[] = [];
  let length = 0;
  for (let j = 0; length < size; j++) {
    const part = `${WORDS[(j * 7 + i) % WORDS.length]} ${j % 1000} `;
    parts.push(part);
    length += part.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

function makeInput(dir: string, megabytes: number): void {
  inputSizes(megabytes).forEach((size, i) => writeFileSync(path.join(dir, `file-${i}.bin`), fileContent(i, size)));
}

/** An LZX-21 cabinet of `megabytes` MiB of the same files, streamed through the writer (nothing kept whole). */
function makeLzxCabinet(cabPath: string, megabytes: number): void {
  const files = inputSizes(megabytes).map((size, i) => ({ name: `file-${i}.bin`, size, chunks: () => [fileContent(i, size)] }));
  writeLzxCabinet(cabPath, files, 21);
}

let peakMemory = 0;

function memoryInUse(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** `toDir`: write each file there as the importer does (hashing on the way). */
async function readerPass(cabPath: string, hash: boolean, toDir?: string): Promise<number> {
  return (await timedReaderPass(cabPath, hash, toDir)).seconds;
}

async function timedReaderPass(cabPath: string, hash: boolean, toDir?: string): Promise<{ seconds: number; cpuSeconds: number }> {
  const handle = await open(cabPath);
  const baseline = memoryInUse();
  let chunks = 0;
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  try {
    const cab = await CabReader.open(fileHandleSource(handle, (await handle.stat()).size));
    let index = 0;
    for await (const entry of cab.entries()) {
      if (toDir) {
        // As the importer writes (apps/worker's package-extraction.ts, decision 77): an MSZIP file
        // hashed and written by the hashing thread while the event loop decodes, an LZX one on the
        // event loop (node:crypto, then a 1 MiB write stream).
        const offThread = cab.folders[entry.file.folderIndex].compression !== CabCompression.Lzx;
        const sampled = async function* (data: AsyncIterable<Buffer>) {
          for await (const chunk of data) {
            if (++chunks % 64 === 0) peakMemory = Math.max(peakMemory, memoryInUse() - baseline);
            yield chunk;
          }
        };
        await writeAndDigest(sampled(entry.data), path.join(toDir, `entry-${index++}`), ['sha256'], { offThread });
        continue;
      }
      const digest = hash ? createHash('sha256') : undefined;
      const hashed = async function* (data: AsyncIterable<Buffer>) {
        for await (const chunk of data) {
          digest?.update(chunk);
          if (++chunks % 64 === 0) peakMemory = Math.max(peakMemory, memoryInUse() - baseline);
          yield chunk;
        }
      };
      for await (const _ of hashed(entry.data));
      digest?.digest();
    }
  } finally {
    await handle.close();
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

function timed(command: string, args: string[]): number {
  return timedChild(command, args).seconds;
}

/** CPU seconds of this process's waited-for children (cutime + cstime of /proc/self/stat, in 1/100 s). */
function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of proc(5) are the 14th and 15th after the command's name and its state.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

function timedChild(command: string, args: string[]): { seconds: number; cpuSeconds: number } {
  const cpu = childrenCpuSeconds();
  const start = process.hrtime.bigint();
  execFileSync(command, args, { stdio: 'ignore' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, cpuSeconds: childrenCpuSeconds() - cpu };
}

/**
 * `runs` pairs, alternating: the reader to disk with SHA-256, then `cabextract -d`, in one process
 * tree (the machine is shared and noisy).
 */
async function toDiskRuns(work: string, cabPath: string, inputMebibytes: number, runs: number, label: string, progress: Progress): Promise<ExtractionFigures> {
  const rate = (seconds: number) => round(inputMebibytes / seconds, 0);
  const reader: number[] = [];
  const cabextract: number[] = [];
  const readerCpu: number[] = [];
  const cabextractCpu: number[] = [];
  for (let run = 1; run <= runs; run++) {
    const readerDir = mkdtempSync(path.join(work, 'reader-'));
    const ours = await timedReaderPass(cabPath, true, readerDir);
    reader.push(ours.seconds);
    readerCpu.push(ours.cpuSeconds);
    rmSync(readerDir, { recursive: true, force: true });
    const outDir = path.join(work, `out-${run}`);
    const theirs = timedChild('cabextract', ['-q', '-d', outDir, cabPath]);
    cabextract.push(theirs.seconds);
    cabextractCpu.push(theirs.cpuSeconds);
    rmSync(outDir, { recursive: true, force: true });
    progress.step(`import ${label} run ${run}/${runs}: CabReader ${rate(reader[run - 1])} MiB/s, cabextract -d ${rate(cabextract[run - 1])} MiB/s`);
  }
  return {
    reader: seriesOf(reader.map(rate)),
    cabextract: seriesOf(cabextract.map(rate)),
    ratio: seriesOf(reader.map((seconds, i) => round(cabextract[i] / seconds, 2))),
    readerCpuSeconds: seriesOf(readerCpu.map((seconds) => round(seconds, 2))),
    cabextractCpuSeconds: seriesOf(cabextractCpu.map((seconds) => round(seconds, 2))),
  };
}

export async function runImportBenchmark(settings: ImportSettings, progress: Progress): Promise<ImportFigures> {
  ensureDebianPrograms({ gcab: 'gcab', cabextract: 'cabextract' }, (line) => progress.step(line));
  const { inputMebibytes, lzxMebibytes, runs } = settings;
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
    const mszip = await toDiskRuns(work, cabPath, inputMebibytes, runs, 'MSZIP', progress);
    const cabinetMebibytes = round(statSync(cabPath).size / 1024 / 1024, 1);
    rmSync(cabPath);

    progress.step(`import: making an LZX-21 cabinet of ${lzxMebibytes} MiB of files (test/support/lzx-cab-writer.ts)…`);
    const lzxPath = path.join(work, 'bench-lzx.cab');
    const writeStart = process.hrtime.bigint();
    makeLzxCabinet(lzxPath, lzxMebibytes);
    const writeSeconds = round(Number(process.hrtime.bigint() - writeStart) / 1e9, 1);
    await readerPass(lzxPath, false); // warm up the LZX decoder
    const lzx = await toDiskRuns(work, lzxPath, lzxMebibytes, runs, 'LZX', progress);
    return {
      benchmark: 'import',
      settings,
      cabinetMebibytes,
      ...mszip,
      passes,
      peakMemoryMebibytes: round(peakMemory / 1024 / 1024, 1),
      lzx: { ...lzx, cabinetMebibytes: round(statSync(lzxPath).size / 1024 / 1024, 1), writeSeconds },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `import` in the registry (bench/registry.ts). */
export const importBenchmark: Benchmark<'none', ImportFigures> = {
  name: 'import',
  about: 'the cab reader extracting to disk with SHA-256 against cabextract -d (gcab MSZIP and LZX-21 cabinets)',
  environment: 'none',
  run: (_, options, progress) =>
    runImportBenchmark({ inputMebibytes: options.importMebibytes, lzxMebibytes: options.lzxMebibytes, runs: options.runs }, progress),
  rows(figures) {
    const { passes, lzx } = figures;
    const rows = [
      {
        figure: `import: cab reader to disk + SHA-256, MSZIP, MiB/s [${figures.ratio.runs.length} runs]`,
        value: spread(figures.reader),
        baseline: `cabextract -d ${spread(figures.cabextract)}`,
        ratio: ratioSpread(figures.ratio),
        goal: `≥ ${IMPORT_GOAL}`,
        met: figures.ratio.median >= IMPORT_GOAL,
      },
      plainRow(`  cabinet: ${figures.cabinetMebibytes} MiB holding ${figures.settings.inputMebibytes} MiB; read and discard / read and SHA-256, MiB/s`, `${int(passes.readAndDiscard)} / ${int(passes.readAndHash)}`, `cabextract -t ${int(passes.cabextractTest)}`),
      ...cpuRow(figures),
      plainRow('  peak JS heap + buffers above a pass\'s start (MiB)', String(figures.peakMemoryMebibytes)),
    ];
    // Results written before the LZX figure have none.
    if (!lzx) return rows;
    return [
      ...rows,
      {
        figure: `import: cab reader to disk + SHA-256, LZX-21, MiB/s [${lzx.ratio.runs.length} runs]`,
        value: spread(lzx.reader),
        baseline: `cabextract -d ${spread(lzx.cabextract)}`,
        ratio: ratioSpread(lzx.ratio),
        goal: `≥ ${IMPORT_GOAL}`,
        met: lzx.ratio.median >= IMPORT_GOAL,
      },
      plainRow(`  cabinet: ${lzx.cabinetMebibytes} MiB holding ${figures.settings.lzxMebibytes} MiB, written in ${lzx.writeSeconds} s`, ''),
      ...cpuRow(lzx),
    ];
  },
};

/** The CPU seconds of both sides (results written before they were measured have none). */
function cpuRow(figures: ExtractionFigures) {
  const { readerCpuSeconds: reader, cabextractCpuSeconds: cabextract } = figures;
  if (!reader || !cabextract) return [];
  const seconds = (series: Series) => spread(series, (value) => value.toFixed(2));
  return [plainRow('  CPU s per run, all threads: reader (with SHA-256) / cabextract -d', seconds(reader), `cabextract -d ${seconds(cabextract)}`)];
}
