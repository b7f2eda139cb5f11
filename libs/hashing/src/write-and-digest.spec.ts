import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeAndDigest } from './write-and-digest';

async function* chunksOf(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

describe('writeAndDigest', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'write-and-digest-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([true, false])('writes the bytes and answers their size and digests in order (offThread %s)', async (offThread) => {
    const data = randomBytes(2 * 1024 * 1024 + 4321);
    const path = join(dir, 'file');
    const written = await writeAndDigest(chunksOf(data, 32768), path, ['sha1', 'sha256', 'md5'], { offThread });
    expect(readFileSync(path).equals(data)).toBe(true);
    expect(written.size).toBe(data.length);
    expect(written.digests.map((digest) => digest.toString('hex'))).toEqual(
      ['sha1', 'sha256', 'md5'].map((algorithm) => createHash(algorithm).update(data).digest('hex')),
    );
  });

  it.each([true, false])('rejects with the failure of the bytes it is given (offThread %s)', async (offThread) => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield randomBytes(1024 * 1024 + 1);
      throw new Error('corrupt block');
    }
    await expect(writeAndDigest(failing(), join(dir, 'file'), ['sha256'], { offThread })).rejects.toThrow('corrupt block');
  });
});
