/**
 * The CFDATA checksum: XOR of the little-endian 32-bit words of `bytes`, starting from `seed`;
 * a tail of 1-3 bytes is packed with its first byte highest. A CFDATA's checksum is this over its
 * compressed data, then (seeded with that) over the cbData/cbUncomp fields and any per-block
 * reserve.
 */
export function cabChecksum(bytes: Uint8Array, seed: number): number {
  let sum = seed | 0;
  const whole = bytes.length & ~3;
  for (let i = 0; i < whole; i += 4) {
    sum ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
  }
  let tail = 0;
  for (let i = whole; i < bytes.length; i++) tail = (tail << 8) | bytes[i];
  return (sum ^ tail) >>> 0;
}
