import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CabCompression, CabReader, fileHandleSource } from '../../libs/cab/src';
import { type LzxCabinetFile, writeLzxCabinet } from './lzx-cab-writer';

// The benchmark's LZX writer against cabextract (libmspack, the reference decoder): every cabinet it
// writes must extract to the bytes it was given, and the pool's reader must agree. cabextract is a
// Debian package that npm test installs.

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** x86-like code: CALLs (E8 and a 32-bit relative target, some in range of the translation, some not) between other bytes. */
function callHeavy(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let at = 0; at + 5 <= size; at += 5 + (at % 11)) {
    bytes[at] = 0xe8;
    bytes.writeInt32LE(((at * 2654435761) | 0) % (at % 3 === 0 ? 20_000_000 : 70_000), at + 1);
  }
  return bytes;
}

function text(size: number): Buffer {
  const words = ['update', 'phone', 'firmware', 'catalog', 'image', 'version', 'locale', 'device'];
  let out = '';
  for (let j = 0; out.length < size; j++) out += `${words[(j * 5) % words.length]} ${j % 997} `;
  return Buffer.from(out.slice(0, size), 'latin1');
}

describe('the LZX cabinet writer (test/support/lzx-cab-writer.ts)', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'lzx-writer-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** Writes the files, extracts them with cabextract and with CabReader, and answers both by name. */
  async function roundTrip(name: string, files: { name: string; data: Buffer }[], windowBits: number, e8?: number) {
    const cab = join(work, `${name}.cab`);
    const inputs: LzxCabinetFile[] = files.map((file) => ({
      name: file.name,
      size: file.data.length,
      // Uneven pieces, so frames are cut across them.
      chunks: () => [file.data.subarray(0, 1000), file.data.subarray(1000, 70_001), file.data.subarray(70_001)],
    }));
    writeLzxCabinet(cab, inputs, windowBits, e8);
    const out = join(work, `${name}-out`);
    execFileSync('cabextract', ['-q', '-d', out, cab]);
    const byCabextract = Object.fromEntries(files.map((file) => [file.name, sha256(readFileSync(join(out, file.name)))]));
    const handle = await open(cab);
    const byReader: Record<string, string> = {};
    try {
      const reader = await CabReader.open(fileHandleSource(handle, (await handle.stat()).size));
      expect(reader.folders[0]).toMatchObject({ compression: CabCompression.Lzx, lzxWindowBits: windowBits });
      for await (const entry of reader.entries()) {
        const hash = createHash('sha256');
        for await (const chunk of entry.data) hash.update(chunk);
        byReader[entry.file.name] = hash.digest('hex');
      }
    } finally {
      await handle.close();
    }
    const given = Object.fromEntries(files.map((file) => [file.name, sha256(file.data)]));
    return { given, byCabextract, byReader, compressedSize: readFileSync(cab).length };
  }

  it.each([15, 18, 21])('writes LZX-%d that cabextract and CabReader extract to the same bytes', async (windowBits) => {
    const files = [
      { name: 'readme.txt', data: text(300_000) },
      { name: 'empty.bin', data: Buffer.alloc(0) },
      { name: 'random.bin', data: randomBytes(100_001) }, // stored blocks, the last of odd length
      { name: 'code.bin', data: callHeavy(150_000) }, // E8 translation
      { name: 'tail.txt', data: text(12_345) }, // the folder's last frame is short
    ];
    const { given, byCabextract, byReader, compressedSize } = await roundTrip(`lzx${windowBits}`, files, windowBits);
    expect(byCabextract).toEqual(given);
    expect(byReader).toEqual(given);
    // It compresses: the text shrinks, the random part is stored as it is.
    expect(compressedSize).toBeLessThan(0.6 * files.reduce((sum, file) => sum + file.data.length, 0));
  }, 60_000);

  it('reaches across the whole 2 MiB window, and writes without E8 translation too', async () => {
    // The same random 64 KiB twice, 1.9 MiB apart (zeros between), so the second is matches at distances near 2^21.
    const repeated = randomBytes(65_536);
    const data = Buffer.concat([repeated, Buffer.alloc(1_900_000), repeated, callHeavy(40_000)]);
    for (const e8 of [undefined, 0]) {
      const { given, byCabextract, byReader, compressedSize } = await roundTrip(`far-${e8}`, [{ name: 'far.bin', data }], 21, e8);
      expect(byCabextract).toEqual(given);
      expect(byReader).toEqual(given);
      expect(compressedSize).toBeLessThan(65_536 + 50_000);
    }
  }, 60_000);
});
