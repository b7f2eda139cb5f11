import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OffThreadDigest } from './off-thread-digest';

const MIB = 1024 * 1024;

function expected(algorithm: string, pieces: Buffer[]): string {
  const hash = createHash(algorithm);
  for (const piece of pieces) hash.update(piece);
  return hash.digest('hex');
}

/** `bytes` in pieces of uneven sizes, as a socket hands them over. */
function pieces(bytes: number): Buffer[] {
  const data = randomBytes(bytes);
  const out: Buffer[] = [];
  for (let at = 0, step = 1; at < bytes; step = (step * 7919) % 200_003 || 1) {
    out.push(data.subarray(at, Math.min(bytes, at + step)));
    at += step;
  }
  return out;
}

describe('OffThreadDigest', () => {
  it.each([0, 1, MIB - 1, MIB, MIB + 1, 20 * MIB + 12_345])('hashes %d bytes as node:crypto does, in every algorithm', async (bytes) => {
    const data = pieces(bytes);
    const digest = new OffThreadDigest(['sha256', 'sha1', 'md5']);
    for (const piece of data) await digest.update(piece);
    const [sha256, sha1, md5] = await digest.digest();
    expect(sha256.toString('hex')).toBe(expected('sha256', data));
    expect(sha1.toString('hex')).toBe(expected('sha1', data));
    expect(md5.toString('hex')).toBe(expected('md5', data));
  });

  it('keeps concurrent digests apart, and leaves the caller its bytes', async () => {
    const a = pieces(9 * MIB);
    const b = pieces(3 * MIB + 5);
    const before = a.map((piece) => Buffer.from(piece));
    const one = new OffThreadDigest();
    const two = new OffThreadDigest();
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (a[i]) await one.update(a[i]);
      if (b[i]) await two.update(b[i]);
    }
    const [hexOne, hexTwo] = await Promise.all([one.hex(), two.hex()]);
    expect(hexOne).toBe(expected('sha256', a));
    expect(hexTwo).toBe(expected('sha256', b));
    expect(Buffer.concat(a).equals(Buffer.concat(before))).toBe(true);
  });

  it('takes Uint8Arrays that are views into a larger buffer', async () => {
    const whole = randomBytes(3 * MIB);
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 17, 2 * MIB);
    const digest = new OffThreadDigest();
    await digest.update(view);
    expect(await digest.hex()).toBe(createHash('sha256').update(view).digest('hex'));
  });

  it('refuses bytes after its digest, and an abandoned digest leaves the next one right', async () => {
    const done = new OffThreadDigest();
    await done.update(Buffer.from('abc'));
    await done.hex();
    await expect(done.update(Buffer.from('d'))).rejects.toThrow(/finished/);
    const abandoned = new OffThreadDigest();
    await abandoned.update(randomBytes(2 * MIB));
    abandoned.abandon();
    const next = new OffThreadDigest();
    await next.update(Buffer.from('abc'));
    expect(await next.hex()).toBe(createHash('sha256').update('abc').digest('hex'));
  });

  describe('writing the bytes to a file as well (writeTo)', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'off-thread-digest-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it.each([0, 5, MIB, 3 * MIB + 777])('writes %d bytes to the file and hashes them, complete once digested', async (bytes) => {
      const data = pieces(bytes);
      const path = join(dir, 'out.bin');
      const digest = new OffThreadDigest(['sha1', 'sha256', 'md5'], { writeTo: path });
      for (const piece of data) await digest.update(piece);
      const [sha1, sha256, md5] = await digest.digest();
      expect(readFileSync(path).equals(Buffer.concat(data))).toBe(true);
      expect(sha1.toString('hex')).toBe(expected('sha1', data));
      expect(sha256.toString('hex')).toBe(expected('sha256', data));
      expect(md5.toString('hex')).toBe(expected('md5', data));
    });

    it('fails with the file system error when the file cannot be created, and the next digest is right', async () => {
      const digest = new OffThreadDigest(['sha256'], { writeTo: join(dir, 'missing', 'out.bin') });
      await expect(
        (async () => {
          await digest.update(randomBytes(2 * MIB));
          return digest.digest();
        })(),
      ).rejects.toMatchObject({ code: 'ENOENT' });
      const next = new OffThreadDigest();
      await next.update(Buffer.from('abc'));
      expect(await next.hex()).toBe(createHash('sha256').update('abc').digest('hex'));
    });
  });
});
