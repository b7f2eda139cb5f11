import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CabReader, fileHandleSource } from '../src';

// Extraction throughput of CabReader against cabextract on the same gcab MSZIP cabinet.
// Not a unit test: it writes tens of MB and takes seconds. See README.md for results.

// The default makes a cabinet of about 50 MiB: half the input is random and does not compress.
const megabytes = Number(process.argv[3] ?? 88);

function makeInput(dir: string): void {
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

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'cab-bench-'));
  try {
    const input = path.join(work, 'in');
    mkdirSync(input);
    makeInput(input);
    const cabPath = path.join(work, 'bench.cab');
    execFileSync('gcab', ['-c', '-z', cabPath, ...readdirSync(input)], { cwd: input });
    const cabSize = statSync(cabPath).size;
    const uncompressed = megabytes * 1024 * 1024;
    const mb = uncompressed / 1024 / 1024;

    await readerPass(cabPath, false); // warm up the JIT
    const results: [string, number][] = [
      ['CabReader, read and discard', await readerPass(cabPath, false)],
      ['CabReader, read and SHA-256', await readerPass(cabPath, true)],
      ['cabextract -t (test, no writes)', timed('cabextract', ['-q', '-t', cabPath])],
    ];
    // The figure that counts: extraction to disk, as the importer does it, against cabextract -d,
    // alternated in one process tree, three rounds (the machine is shared and noisy).
    const ratios: number[] = [];
    for (let round = 0; round < 3; round++) {
      const readerDir = mkdtempSync(path.join(work, 'reader-'));
      const reader = await readerPass(cabPath, true, readerDir);
      rmSync(readerDir, { recursive: true, force: true });
      const outDir = path.join(work, `out-${round}`);
      const cabextract = timed('cabextract', ['-q', '-d', outDir, cabPath]);
      rmSync(outDir, { recursive: true, force: true });
      results.push([`CabReader to disk + SHA-256 (${round + 1})`, reader], [`cabextract -d to disk (${round + 1})`, cabextract]);
      ratios.push(cabextract / reader);
    }
    // Garbage is collected lazily, so this is an upper bound on what extraction keeps alive.
    console.log(`peak JS heap + buffers above the start of a pass: ${(peakMemory / 1024 / 1024).toFixed(1)} MiB`);
    console.log(`gcab MSZIP cabinet: ${(cabSize / 1024 / 1024).toFixed(1)} MiB holding ${mb} MiB`);
    for (const [name, seconds] of results) {
      console.log(`${name.padEnd(34)} ${seconds.toFixed(3)} s  ${(mb / seconds).toFixed(0)} MiB/s`);
    }
    ratios.sort((a, b) => a - b);
    console.log(
      `throughput ratio, CabReader / cabextract (to disk): min ${ratios[0].toFixed(2)}, median ${ratios[1].toFixed(2)}, ` +
        `max ${ratios[2].toFixed(2)} (goal >= 0.8)`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
