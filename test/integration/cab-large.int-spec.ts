import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { CabReader, fileHandleSource } from '@ucupdates/cab';
import { testServices } from '../support/test-environment';

const TOTAL = 200 * 1024 * 1024;

/**
 * The reader against cabextract on generated cabinets of 200 MB, stored and MSZIP: every file
 * byte for byte (by SHA-256). The small cases are in libs/cab's unit tests.
 */
describe('CabReader on 200 MB cabinets made by gcab', () => {
  let work: string;
  const names: string[] = [];

  beforeAll(() => {
    work = mkdtempSync(join(testServices.stateDir, 'cab-large-'));
    const input = join(work, 'in');
    mkdirSync(input);
    // Half text-like (compresses), half random (does not), in files of 1 to 40 MB and one empty file.
    let written = 0;
    for (let i = 0; written < TOTAL; i++) {
      const size = Math.min(TOTAL - written, ((i * 7919) % 40) * 1024 * 1024 + 12_345);
      const bytes = i % 2 ? randomBytes(size) : Buffer.from(`firmware block ${i} `.repeat(Math.ceil(size / 20))).subarray(0, size);
      names.push(`file-${i}.bin`);
      writeFileSync(join(input, names.at(-1)!), bytes);
      written += size;
    }
    names.push('empty.bin');
    writeFileSync(join(input, 'empty.bin'), Buffer.alloc(0));
    execFileSync('gcab', ['-c', join(work, 'stored.cab'), ...names], { cwd: input });
    execFileSync('gcab', ['-c', '-z', join(work, 'mszip.cab'), ...names], { cwd: input });
    rmSync(input, { recursive: true });
  }, 120_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.each(['stored', 'mszip'])('reads the %s cabinet exactly as cabextract extracts it', async (kind) => {
    const cab = join(work, `${kind}.cab`);
    const out = join(work, `${kind}-out`);
    execFileSync('cabextract', ['-q', '-d', out, cab]);
    const expected = Object.fromEntries(
      readdirSync(out).map((name) => [name, createHash('sha256').update(readFileSync(join(out, name))).digest('hex')]),
    );
    rmSync(out, { recursive: true });

    const handle = await open(cab);
    const actual: Record<string, string> = {};
    try {
      const reader = await CabReader.open(fileHandleSource(handle, statSync(cab).size));
      for await (const entry of reader.entries()) {
        const hash = createHash('sha256');
        for await (const chunk of entry.data) {
          hash.update(chunk);
        }
        actual[entry.file.name] = hash.digest('hex');
      }
    } finally {
      await handle.close();
    }
    expect(Object.keys(actual).sort()).toEqual([...names].sort());
    expect(actual).toEqual(expected);
  }, 120_000);
});
