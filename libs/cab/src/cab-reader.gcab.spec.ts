import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CabError, CabErrorCode } from './cab-error';
import { CabReader } from './cab-reader';
import { bufferSource, CabSource, fileHandleSource } from './cab-source';
import { CabReaderOptions } from './cab-types';

// Cabinets made here with gcab (stored and MSZIP) and checked byte for byte against cabextract.
// Both are Debian packages (`apt-get install gcab cabextract`).

function run(command: string, args: string[], cwd?: string): void {
  try {
    execFileSync(command, args, { cwd, stdio: 'pipe' });
  } catch (error) {
    throw new Error(`${command} ${args.join(' ')} failed (are gcab and cabextract installed?): ${String(error)}`);
  }
}

/** Extracts the whole cabinet through a file handle, returning each file's bytes by name. */
async function extractAll(cabPath: string, options?: CabReaderOptions): Promise<Map<string, Buffer>> {
  const handle = await open(cabPath);
  try {
    const { size } = await handle.stat();
    const cab = await CabReader.open(fileHandleSource(handle, size), options);
    const files = new Map<string, Buffer>();
    for await (const entry of cab.entries()) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry.data) {
        expect(chunk.length).toBeLessThanOrEqual(32768);
        chunks.push(chunk);
      }
      files.set(entry.file.name, Buffer.concat(chunks));
    }
    return files;
  } finally {
    await handle.close();
  }
}

/** Counts every byte read (and requested) from a source, to show where extraction stopped. */
function counting(source: CabSource): { source: CabSource; requested: () => number } {
  let requested = 0;
  return {
    source: {
      size: source.size,
      read: (offset, length) => {
        requested += length;
        return source.read(offset, length);
      },
    },
    requested: () => requested,
  };
}

async function refusalOf(promise: Promise<unknown>): Promise<CabError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CabError) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('CabReader on cabinets made by gcab', () => {
  let work: string;
  const names = [
    'empty.bin',
    'one.bin',
    'block.bin',
    'block-and-one.bin',
    'random-1m.bin',
    'text.txt',
    'sub\\dir\\nested.bin',
  ];

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'cab-gcab-'));
    const input = path.join(work, 'in');
    mkdirSync(path.join(input, 'sub', 'dir'), { recursive: true });
    const text = Array.from({ length: 40000 }, (_, i) => `line ${i} of some compressible text ${i % 97}\n`).join('');
    const contents: Record<string, Buffer> = {
      'empty.bin': Buffer.alloc(0),
      'one.bin': randomBytes(1),
      'block.bin': randomBytes(32768),
      'block-and-one.bin': randomBytes(32769),
      'random-1m.bin': randomBytes(1024 * 1024 + 12345),
      'text.txt': Buffer.from(text),
      'sub/dir/nested.bin': randomBytes(70000),
    };
    for (const [name, bytes] of Object.entries(contents)) writeFileSync(path.join(input, name), bytes);
    const inputs = names.map((name) => name.replace(/\\/g, '/'));
    run('gcab', ['-c', path.join(work, 'stored.cab'), ...inputs], input);
    run('gcab', ['-c', '-z', path.join(work, 'mszip.cab'), ...inputs], input);
    for (const kind of ['stored', 'mszip']) {
      run('cabextract', ['-q', '-d', path.join(work, `out-${kind}`), path.join(work, `${kind}.cab`)]);
    }
  });

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it.each(['stored', 'mszip'])('extracts a %s cabinet exactly as cabextract does', async (kind) => {
    const files = await extractAll(path.join(work, `${kind}.cab`));
    expect([...files.keys()]).toEqual(names);
    for (const [name, bytes] of files) {
      const reference = readFileSync(path.join(work, `out-${kind}`, name.replace(/\\/g, '/')));
      expect(bytes.equals(reference)).toBe(true);
    }
  });

  it('reads entries that are skipped or read in part, and refuses reading them late', async () => {
    const cab = await CabReader.open(bufferSource(readFileSync(path.join(work, 'mszip.cab'))));
    const late: AsyncIterable<Buffer>[] = [];
    for await (const entry of cab.entries()) {
      if (entry.file.name === 'random-1m.bin') {
        // Read one chunk only; the reader skips the rest before the next entry.
        for await (const chunk of entry.data) {
          expect(chunk.length).toBeGreaterThan(0);
          break;
        }
      } else if (entry.file.name === 'text.txt') {
        late.push(entry.data);
      } else if (entry.file.name === 'sub\\dir\\nested.bin') {
        const chunks: Buffer[] = [];
        for await (const chunk of entry.data) chunks.push(chunk);
        const reference = readFileSync(path.join(work, 'out-mszip', 'sub/dir/nested.bin'));
        expect(Buffer.concat(chunks).equals(reference)).toBe(true);
      }
    }
    await expect(async () => {
      for await (const chunk of late[0]) expect(chunk).toBeUndefined();
    }).rejects.toThrow(/after moving to the next entry/);
  });

  describe('decompression bombs', () => {
    const zeros = 64 * 1024 * 1024;
    let bomb: Buffer;
    let hidden: Buffer;

    beforeAll(() => {
      const dir = path.join(work, 'bomb');
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'zeros.bin'), Buffer.alloc(zeros));
      run('gcab', ['-c', '-z', path.join(work, 'bomb.cab'), 'zeros.bin'], dir);
      bomb = readFileSync(path.join(work, 'bomb.cab'));
      // The same cabinet with headers that lie: the only file is declared as the last 10 bytes of
      // the folder, so the declared size is tiny but 64 MiB must be decoded to reach it.
      hidden = Buffer.from(bomb);
      const fileEntry = hidden.readUInt32LE(16);
      hidden.writeUInt32LE(10, fileEntry);
      hidden.writeUInt32LE(zeros - 10, fileEntry + 4);
    });

    it('is read when within the limits', async () => {
      const files = await extractAll(path.join(work, 'bomb.cab'));
      expect(files.get('zeros.bin')?.equals(Buffer.alloc(zeros))).toBe(true);
    });

    it('is refused from its headers when above the size limit', async () => {
      const error = await refusalOf(CabReader.open(bufferSource(bomb), { maxUncompressedSize: 16 * 1024 * 1024 }));
      expect(error.code).toBe(CabErrorCode.TooLarge);
    });

    it('is refused from its headers when above the ratio limit', async () => {
      const error = await refusalOf(CabReader.open(bufferSource(bomb), { maxRatio: 100 }));
      expect(error.code).toBe(CabErrorCode.RatioTooHigh);
    });

    it.each([
      [{ maxRatio: 20 }, CabErrorCode.RatioTooHigh],
      [{ maxUncompressedSize: 4 * 1024 * 1024 }, CabErrorCode.TooLarge],
    ] as const)('with lying headers, stops decoding at the limit %j', async (options, code) => {
      const { source, requested } = counting(bufferSource(hidden));
      const cab = await CabReader.open(source, { ...options, readAheadSize: 4096 });
      expect(cab.declaredSize).toBe(10);
      const error = await refusalOf(
        (async () => {
          for await (const entry of cab.entries()) for await (const chunk of entry.data) expect(chunk).toBeDefined();
        })(),
      );
      expect(error.code).toBe(code);
      expect(error.entry).toBe('zeros.bin');
      // Decoding stopped near the limit: only a fraction of the compressed blocks was even read.
      const limit = 'maxRatio' in options ? options.maxRatio * hidden.length : options.maxUncompressedSize;
      expect(requested()).toBeLessThan(hidden.length * (limit / zeros) + 3 * 4096);
    });
  });
});
