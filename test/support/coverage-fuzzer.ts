import { createHash } from 'node:crypto';
import { Session } from 'node:inspector';
import { seeded } from './hostile-random';

/**
 * A small coverage-guided mutational fuzzer on V8's own block coverage (the inspector's precise
 * coverage, in this process). Jazzer.js cannot run here (docs/reliability.md says why), and this
 * keeps its essential loop: mutate an input of the corpus, run the target, keep the input when it
 * reached a block (or a block count bucket) no earlier input did.
 *
 * The target must throw only its expected error class; anything else, or a run slower than
 * `slowMs`, is a finding.
 */
export interface FuzzTarget {
  name: string;
  seeds: Buffer[];
  /** Substrings of the script URLs whose coverage guides the search (the code under test). */
  coverageOf: string[];
  /** Tokens the mutator splices in (magic numbers, markup). */
  dictionary: Buffer[];
  run(input: Buffer): Promise<void> | void;
  /** Whether a thrown error is an expected refusal. */
  expected(error: unknown): boolean;
  maxLength: number;
}

export interface FuzzReport {
  target: string;
  seconds: number;
  executions: number;
  corpus: number;
  features: number;
  findings: { input: string; error: string }[];
}

export async function fuzz(target: FuzzTarget, seconds: number, seed = 1): Promise<FuzzReport> {
  const random = seeded(seed);
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T))));
  await post('Profiler.enable');
  await post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });

  const features = new Set<string>();
  const scripts = new Map<string, boolean>();
  const covered = async (): Promise<number> => {
    const { result } = await post<{ result: { scriptId: string; url: string; functions: { ranges: { startOffset: number; endOffset: number; count: number }[] }[] }[] }>('Profiler.takePreciseCoverage');
    let fresh = 0;
    for (const script of result) {
      let wanted = scripts.get(script.url);
      if (wanted === undefined) {
        wanted = target.coverageOf.some((part) => script.url.includes(part));
        scripts.set(script.url, wanted);
      }
      if (!wanted) continue;
      for (const fn of script.functions) {
        for (const range of fn.ranges) {
          if (range.count === 0) continue;
          // Counts in power-of-two buckets, as libFuzzer does: a loop run 1, 2-3, 4-7, … times differs.
          const feature = `${script.scriptId}:${range.startOffset}:${range.endOffset}:${31 - Math.clz32(range.count)}`;
          if (!features.has(feature)) {
            features.add(feature);
            fresh++;
          }
        }
      }
    }
    return fresh;
  };

  const corpus: Buffer[] = [];
  const findings: FuzzReport['findings'] = [];
  const seen = new Set<string>();
  let executions = 0;
  const execute = async (input: Buffer): Promise<boolean> => {
    const started = Date.now();
    executions++;
    try {
      await target.run(input);
    } catch (error) {
      if (!target.expected(error)) {
        const message = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error);
        const key = message.split('\n').slice(0, 3).join('\n');
        if (!seen.has(key)) {
          seen.add(key);
          findings.push({ input: input.toString('base64'), error: message.slice(0, 2000) });
        }
      }
    }
    const elapsed = Date.now() - started;
    if (elapsed > 2_000) findings.push({ input: input.toString('base64'), error: `took ${elapsed} ms` });
    return (await covered()) > 0;
  };

  await covered(); // what loading the modules ran is no feature of an input
  for (const input of target.seeds) {
    if (await execute(input)) corpus.push(input);
  }
  if (corpus.length === 0) corpus.push(...target.seeds.slice(0, 1));

  const deadline = Date.now() + seconds * 1000;
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const interesting = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];
  const mutate = (input: Buffer): Buffer => {
    let bytes = Buffer.from(input);
    const rounds = 1 + Math.floor(random() * 4);
    for (let round = 0; round < rounds; round++) {
      const at = bytes.length === 0 ? 0 : Math.floor(random() * bytes.length);
      switch (Math.floor(random() * 9)) {
        case 0:
          if (bytes.length) bytes[at] ^= 1 << Math.floor(random() * 8);
          break;
        case 1:
          if (bytes.length) bytes[at] = Math.floor(random() * 256);
          break;
        case 2: {
          const length = Math.min(bytes.length - at, 1 + Math.floor(random() * 16));
          bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + length)]);
          break;
        }
        case 3:
          bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * 256))), bytes.subarray(at)]);
          break;
        case 4: {
          const value = pick(interesting);
          if (at + 4 <= bytes.length) bytes.writeUInt32LE(value >>> 0, at);
          else if (at + 2 <= bytes.length) bytes.writeUInt16LE(value & 0xffff, at);
          break;
        }
        case 5:
          if (at + 2 <= bytes.length) bytes.writeUInt16LE(pick(interesting) & 0xffff, at);
          break;
        case 6:
          bytes = Buffer.concat([bytes.subarray(0, at), pick(target.dictionary), bytes.subarray(at)]);
          break;
        case 7: {
          const other = pick(corpus);
          const from = Math.floor(random() * other.length);
          bytes = Buffer.concat([bytes.subarray(0, at), other.subarray(from, from + 1 + Math.floor(random() * 64))]);
          break;
        }
        default: {
          const length = Math.min(bytes.length - at, 1 + Math.floor(random() * 32));
          const copy = bytes.subarray(at, at + length);
          const to = Math.floor(random() * (bytes.length + 1));
          bytes = Buffer.concat([bytes.subarray(0, to), copy, bytes.subarray(to)]);
        }
      }
    }
    return bytes.length > target.maxLength ? bytes.subarray(0, target.maxLength) : bytes;
  };

  while (Date.now() < deadline) {
    const input = mutate(pick(corpus));
    if (await execute(input)) corpus.push(input);
  }
  await post('Profiler.stopPreciseCoverage');
  session.disconnect();
  return { target: target.name, seconds, executions, corpus: corpus.length, features: features.size, findings };
}

export const digest = (input: Buffer) => createHash('sha256').update(input).digest('hex').slice(0, 16);
