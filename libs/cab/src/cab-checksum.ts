/** The checksum's words are little-endian: read through an Int32Array only where the machine's are too. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** An aligned copy of the bytes being summed, so they can be read a 32-bit word at a time. */
let scratch = new Int32Array(0);

/**
 * The CFDATA checksum: XOR of the little-endian 32-bit words of `bytes`, starting from `seed`;
 * a tail of 1-3 bytes is packed with its first byte highest. A CFDATA's checksum is this over its
 * compressed data, then (seeded with that) over the cbData/cbUncomp fields and any per-block
 * reserve.
 *
 * Every block's data is summed, so this is on the extraction's path: on a little-endian machine
 * the words are copied to an aligned buffer (a memcpy) and XORed as 32-bit integers in four lanes,
 * about twice as fast as assembling each word from four bytes.
 */
export function cabChecksum(bytes: Uint8Array, seed: number): number {
  const words = bytes.length >>> 2;
  let sum = seed | 0;
  if (LITTLE_ENDIAN && words >= 16) {
    if (scratch.length < words) scratch = new Int32Array(Math.max(words, 16384));
    new Uint8Array(scratch.buffer, 0, words * 4).set(bytes.subarray(0, words * 4));
    let lane1 = 0;
    let lane2 = 0;
    let lane3 = 0;
    let i = 0;
    for (; i + 4 <= words; i += 4) {
      sum ^= scratch[i];
      lane1 ^= scratch[i + 1];
      lane2 ^= scratch[i + 2];
      lane3 ^= scratch[i + 3];
    }
    for (; i < words; i++) sum ^= scratch[i];
    sum ^= lane1 ^ lane2 ^ lane3;
  } else {
    for (let i = 0; i < words * 4; i += 4) {
      sum ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    }
  }
  let tail = 0;
  for (let i = words * 4; i < bytes.length; i++) tail = (tail << 8) | bytes[i];
  return (sum ^ tail) >>> 0;
}
