/** Longest code any LZX Huffman tree may use. */
export const MAX_CODE_LENGTH = 16;

export type HuffmanBuildResult = 'ok' | 'empty' | 'invalid';

/**
 * A canonical Huffman decoding table, as LZX uses them: codes are assigned in order of length, then
 * of symbol, and read most significant bit first.
 *
 * Codes up to `tableBits` long are decoded by one lookup in `lookup`, indexed by the next
 * `tableBits` bits of input; an entry holds `symbol << 5 | length`, and 0 where the code is longer
 * (no code has length 0, so 0 is never a real entry). Longer codes, which are rare because they
 * belong to rare symbols, are found with `decodeLong`.
 */
export class HuffmanTable {
  readonly lookup: Uint16Array;
  /** True when no symbol has a code: decoding anything with this table is an error. */
  empty = true;

  private readonly countPerLength = new Uint16Array(MAX_CODE_LENGTH + 1);
  private readonly firstCode = new Int32Array(MAX_CODE_LENGTH + 1);
  private readonly firstIndex = new Int32Array(MAX_CODE_LENGTH + 1);
  private readonly sortedSymbols: Uint16Array;
  private maxLength = 0;

  constructor(
    readonly symbolCount: number,
    readonly tableBits: number,
  ) {
    // Entries pack the symbol above 5 bits of length into 16 bits.
    if (symbolCount > 2047 || tableBits > MAX_CODE_LENGTH) throw new RangeError('table too large');
    this.lookup = new Uint16Array(1 << tableBits);
    this.sortedSymbols = new Uint16Array(symbolCount);
  }

  /**
   * Builds the table from code lengths (0 = symbol unused). 'invalid' when the lengths are
   * over-subscribed or leave codes unassigned (an incomplete tree would let crafted input reach
   * undefined codes); 'empty' when every length is 0.
   */
  build(lengths: Uint8Array): HuffmanBuildResult {
    const counts = this.countPerLength;
    counts.fill(0);
    for (let symbol = 0; symbol < this.symbolCount; symbol++) counts[lengths[symbol]]++;
    counts[0] = 0;

    let left = 1;
    this.maxLength = 0;
    for (let length = 1; length <= MAX_CODE_LENGTH; length++) {
      left = (left << 1) - counts[length];
      if (left < 0) return 'invalid';
      if (counts[length] > 0) this.maxLength = length;
    }
    this.lookup.fill(0);
    if (this.maxLength === 0) {
      this.empty = true;
      return 'empty';
    }
    this.empty = false;
    if (left !== 0) {
      this.empty = true;
      return 'invalid';
    }

    let code = 0;
    let index = 0;
    for (let length = 1; length <= MAX_CODE_LENGTH; length++) {
      this.firstCode[length] = code;
      this.firstIndex[length] = index;
      code = (code + counts[length]) << 1;
      index += counts[length];
    }

    // Walk symbols in order: within one length, codes grow with the symbol number.
    const nextCode = Int32Array.from(this.firstCode);
    const nextIndex = Int32Array.from(this.firstIndex);
    const bits = this.tableBits;
    for (let symbol = 0; symbol < this.symbolCount; symbol++) {
      const length = lengths[symbol];
      if (length === 0) continue;
      this.sortedSymbols[nextIndex[length]++] = symbol;
      const symbolCode = nextCode[length]++;
      if (length <= bits) {
        const start = symbolCode << (bits - length);
        this.lookup.fill((symbol << 5) | length, start, start + (1 << (bits - length)));
      }
    }
    return 'ok';
  }

  /**
   * Decodes a code longer than `tableBits`, given the next 16 input bits (MSB first). Returns
   * `symbol << 5 | length`, or -1 when the bits are no code of this table.
   */
  decodeLong(next16Bits: number): number {
    for (let length = this.tableBits + 1; length <= this.maxLength; length++) {
      const offset = (next16Bits >>> (MAX_CODE_LENGTH - length)) - this.firstCode[length];
      if (offset >= 0 && offset < this.countPerLength[length]) {
        return (this.sortedSymbols[this.firstIndex[length] + offset] << 5) | length;
      }
    }
    return -1;
  }
}
