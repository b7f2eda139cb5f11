import { randomBytes } from 'node:crypto';
import { cabChecksum } from './cab-checksum';

/** The definition, a word at a time from its bytes. */
function reference(bytes: Uint8Array, seed: number): number {
  let sum = seed | 0;
  const whole = bytes.length & ~3;
  for (let i = 0; i < whole; i += 4) sum ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
  let tail = 0;
  for (let i = whole; i < bytes.length; i++) tail = (tail << 8) | bytes[i];
  return (sum ^ tail) >>> 0;
}

describe('cabChecksum', () => {
  it('XORs little-endian words and packs a 1-3 byte tail first byte highest', () => {
    expect(cabChecksum(Buffer.from([1, 2, 3, 4]), 0)).toBe(0x04030201);
    expect(cabChecksum(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]), 0)).toBe((0x04030201 ^ 0x08070605) >>> 0);
    expect(cabChecksum(Buffer.from([0xaa]), 0)).toBe(0xaa);
    expect(cabChecksum(Buffer.from([0xaa, 0xbb]), 0)).toBe(0xaabb);
    expect(cabChecksum(Buffer.from([0xaa, 0xbb, 0xcc]), 0)).toBe(0xaabbcc);
    expect(cabChecksum(Buffer.from([0xff, 0xff, 0xff, 0xff]), 0x0f0f0f0f)).toBe(0xf0f0f0f0);
  });

  it('gives the same sums word-wise as byte-wise, at every length and alignment of a block', () => {
    const bytes = randomBytes(70_000);
    for (const length of [0, 3, 63, 64, 65, 66, 67, 32_768, 38_912, 65_536 + 5]) {
      for (const start of [0, 1, 2, 3]) {
        const view = bytes.subarray(start, start + length);
        expect(cabChecksum(view, 0x12345678)).toBe(reference(view, 0x12345678));
      }
    }
  });
});
