import { cabChecksum } from './cab-checksum';

describe('cabChecksum', () => {
  it('XORs little-endian words and packs a 1-3 byte tail first byte highest', () => {
    expect(cabChecksum(Buffer.from([1, 2, 3, 4]), 0)).toBe(0x04030201);
    expect(cabChecksum(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]), 0)).toBe((0x04030201 ^ 0x08070605) >>> 0);
    expect(cabChecksum(Buffer.from([0xaa]), 0)).toBe(0xaa);
    expect(cabChecksum(Buffer.from([0xaa, 0xbb]), 0)).toBe(0xaabb);
    expect(cabChecksum(Buffer.from([0xaa, 0xbb, 0xcc]), 0)).toBe(0xaabbcc);
    expect(cabChecksum(Buffer.from([0xff, 0xff, 0xff, 0xff]), 0x0f0f0f0f)).toBe(0xf0f0f0f0);
  });
});
