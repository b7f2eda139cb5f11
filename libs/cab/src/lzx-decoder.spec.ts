import { CabError, CabErrorCode } from './cab-error';
import { LZX_FRAME_SIZE, LzxDecoder, undoE8Translation } from './lzx-decoder';

// The fixture cabinets (cab-reader.spec.ts) check the decoder against real Microsoft output. These
// tests reach the corners those files do not: a tiny LZX writer below builds streams with chosen
// block types, block boundaries and matches, so the decoder's handling of each can be pinned down.

/** Writes LZX's bit stream: 16-bit little-endian words, filled from their top bit. */
class BitWriter {
  private readonly bytes: number[] = [];
  private word = 0;
  private used = 0;

  get bitPosition(): number {
    return this.bytes.length * 8 + this.used;
  }

  bits(value: number, count: number): void {
    for (let i = count - 1; i >= 0; i--) {
      this.word = (this.word << 1) | ((value >>> i) & 1);
      if (++this.used === 16) this.flushWord();
    }
  }

  /** Pads with zero bits to the next word boundary (none when already there). */
  align(): void {
    while (this.used !== 0) this.bits(0, 1);
  }

  /** Raw bytes, for stored blocks; the stream must be word-aligned. */
  raw(bytes: Uint8Array): void {
    if (this.used !== 0) throw new Error('not aligned');
    this.bytes.push(...bytes);
  }

  take(): Buffer {
    this.align();
    const out = Buffer.from(this.bytes);
    this.bytes.length = 0;
    return out;
  }

  private flushWord(): void {
    this.bytes.push(this.word & 0xff, (this.word >>> 8) & 0xff);
    this.word = 0;
    this.used = 0;
  }
}

type Token = { literal: number } | { length: number; offset: number };

const EXTRA_BITS: number[] = [];
const POSITION_BASE: number[] = [];
for (let slot = 0; slot < 50; slot++) {
  EXTRA_BITS.push(slot < 4 ? 0 : Math.min(17, (slot >> 1) - 1));
  POSITION_BASE.push(slot === 0 ? 0 : POSITION_BASE[slot - 1] + (1 << EXTRA_BITS[slot - 1]));
}

/** Canonical codes for the given lengths, as the decoder assigns them. */
function canonicalCodes(lengths: number[]): number[] {
  const codes: number[] = new Array(lengths.length).fill(0);
  let code = 0;
  for (let length = 1; length <= 16; length++) {
    for (let symbol = 0; symbol < lengths.length; symbol++) {
      if (lengths[symbol] === length) codes[symbol] = code++;
    }
    code <<= 1;
  }
  return codes;
}

/**
 * Writes LZX blocks for a window of 2^15 bytes with fixed, complete trees: main symbols 0-15 get
 * 8-bit codes and the other 480 get 9 bits; length symbols 0-6 get 7 bits and the rest 8; the
 * pretree uses 4 and 5 bits; aligned symbols 3 bits each.
 */
class LzxWriter {
  readonly out = new BitWriter();
  private r = [1, 1, 1];
  private readonly mainLengths = Array.from({ length: 256 + 240 }, (_, symbol) => (symbol < 16 ? 8 : 9));
  private readonly lengthLengths = Array.from({ length: 249 }, (_, symbol) => (symbol < 7 ? 7 : 8));
  private readonly pretreeLengths = Array.from({ length: 20 }, (_, symbol) => (symbol < 12 ? 4 : 5));
  private readonly mainCodes = canonicalCodes(this.mainLengths);
  private readonly lengthCodes = canonicalCodes(this.lengthLengths);
  private readonly pretreeCodes = canonicalCodes(this.pretreeLengths);
  /** What the decoder holds as previous lengths: deltas are sent against these. */
  private previousMain = new Array(256 + 240).fill(0);
  private previousLength = new Array(249).fill(0);

  e8Header(translationSize?: number): void {
    if (translationSize === undefined) {
      this.out.bits(0, 1);
    } else {
      this.out.bits(1, 1);
      this.out.bits(translationSize >>> 16, 16);
      this.out.bits(translationSize & 0xffff, 16);
    }
  }

  stored(data: Uint8Array): void {
    this.out.bits(3, 3);
    this.out.bits(data.length >>> 8, 16);
    this.out.bits(data.length & 0xff, 8);
    // 1 to 16 bits of padding: a whole word when already aligned.
    if (this.out.bitPosition % 16 === 0) this.out.bits(0, 16);
    this.out.align();
    const header = Buffer.alloc(12);
    this.r.forEach((value, i) => header.writeUInt32LE(value, i * 4));
    this.out.raw(header);
    this.out.raw(data);
    if (data.length % 2 === 1) this.out.raw(Uint8Array.of(0));
  }

  /** Header of a verbatim (or aligned) block holding `size` bytes; tokens follow with `tokens`. */
  compressedHeader(size: number, aligned: boolean): void {
    this.out.bits(aligned ? 2 : 1, 3);
    this.out.bits(size >>> 8, 16);
    this.out.bits(size & 0xff, 8);
    if (aligned) for (let i = 0; i < 8; i++) this.out.bits(3, 3);
    this.lengths(this.mainLengths, this.previousMain, 0, 256);
    this.lengths(this.mainLengths, this.previousMain, 256, 256 + 240);
    this.lengths(this.lengthLengths, this.previousLength, 0, 249);
  }

  tokens(tokens: Token[], aligned: boolean): void {
    for (const token of tokens) {
      if ('literal' in token) {
        this.symbol(this.mainCodes, this.mainLengths, token.literal);
        continue;
      }
      const header = Math.min(token.length - 2, 7);
      let slot = this.r.indexOf(token.offset);
      let extra = 0;
      if (slot < 0) {
        const formatted = token.offset + 2;
        slot = POSITION_BASE.findLastIndex((base) => base <= formatted);
        extra = formatted - POSITION_BASE[slot];
        this.r = [token.offset, this.r[0], this.r[1]];
      } else if (slot > 0) {
        [this.r[0], this.r[slot]] = [this.r[slot], this.r[0]];
      }
      this.symbol(this.mainCodes, this.mainLengths, 256 + ((slot << 3) | header));
      if (header === 7) this.symbol(this.lengthCodes, this.lengthLengths, token.length - 9);
      if (slot >= 3) {
        const bits = EXTRA_BITS[slot];
        if (aligned && bits >= 3) {
          this.out.bits(extra >>> 3, bits - 3);
          this.out.bits(extra & 7, 3);
        } else {
          this.out.bits(extra, bits);
        }
      }
    }
  }

  /** Sends lengths first..last-1 against the previous ones, using every pretree code kind. */
  private lengths(lengths: number[], previous: number[], first: number, last: number): void {
    for (const length of this.pretreeLengths) this.out.bits(length, 4);
    let x = first;
    while (x < last) {
      const value = lengths[x];
      let run = 0;
      while (x + run < last && lengths[x + run] === value && previous[x + run] === previous[x]) run++;
      if (value === 0 && previous[x] === 0 && run >= 20) {
        const n = Math.min(run, 51);
        this.symbol(this.pretreeCodes, this.pretreeLengths, 18);
        this.out.bits(n - 20, 5);
        x += n;
      } else if (value === 0 && previous[x] === 0 && run >= 4) {
        const n = Math.min(run, 19);
        this.symbol(this.pretreeCodes, this.pretreeLengths, 17);
        this.out.bits(n - 4, 4);
        x += n;
      } else if (run >= 4) {
        const n = Math.min(run, 5);
        this.symbol(this.pretreeCodes, this.pretreeLengths, 19);
        this.out.bits(n - 4, 1);
        this.symbol(this.pretreeCodes, this.pretreeLengths, (previous[x] - value + 17) % 17);
        x += n;
      } else {
        this.symbol(this.pretreeCodes, this.pretreeLengths, (previous[x] - value + 17) % 17);
        x++;
      }
    }
    for (let i = first; i < last; i++) previous[i] = lengths[i];
  }

  private symbol(codes: number[], lengths: number[], symbol: number): void {
    this.out.bits(codes[symbol], lengths[symbol]);
  }
}

/** Applies tokens to rebuild the bytes they stand for (the expected decoder output). */
function expand(tokens: Token[], into: number[]): void {
  for (const token of tokens) {
    if ('literal' in token) into.push(token.literal);
    else for (let i = 0; i < token.length; i++) into.push(into[into.length - token.offset]);
  }
}

function decodeAll(frames: Buffer[], sizes: number[], windowBits = 15): Buffer {
  const decoder = new LzxDecoder(windowBits);
  return Buffer.concat(frames.map((frame, i) => decoder.decodeFrame(frame, sizes[i])));
}

function randomGenerator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('LzxDecoder', () => {
  it('decodes a stored block of odd length, a stored block spanning frames, then a verbatim block', () => {
    const writer = new LzxWriter();
    const first = Buffer.from('odd!!');
    const spanning = Buffer.alloc(LZX_FRAME_SIZE + 1001, 0x5a);
    writer.e8Header();
    writer.stored(first);
    // The frame ends inside this block: the rest of it comes in the next CFDATA.
    const firstFrameBytes = LZX_FRAME_SIZE - first.length;
    writer.out.bits(3, 3);
    writer.out.bits(spanning.length >>> 8, 16);
    writer.out.bits(spanning.length & 0xff, 8);
    writer.out.align();
    writer.out.raw(Buffer.alloc(12).fill(0).map((_, i) => (i % 4 === 0 ? 1 : 0)));
    writer.out.raw(spanning.subarray(0, firstFrameBytes));
    const frame1 = writer.out.take();
    writer.out.raw(spanning.subarray(firstFrameBytes));
    writer.out.raw(Uint8Array.of(0));
    const tokens: Token[] = [
      { literal: 0x41 },
      { length: 40, offset: 1 },
      { literal: 0x42 },
      { length: 200, offset: 2000 },
      { length: 58, offset: 2000 },
    ];
    writer.compressedHeader(300, false);
    writer.tokens(tokens, false);
    const frame2 = writer.out.take();

    const expected: number[] = [...first, ...spanning];
    expand(tokens, expected);
    const output = decodeAll([frame1, frame2], [LZX_FRAME_SIZE, expected.length - LZX_FRAME_SIZE]);
    expect(output.equals(Buffer.from(expected))).toBe(true);
  });

  it('skips a whole word of padding when a stored block header ends on a word boundary', () => {
    const writer = new LzxWriter();
    writer.e8Header();
    // Literals with 8- and 9-bit codes move the stream so the next block header ends word-aligned.
    const literals: Token[] = [];
    writer.compressedHeader(0, false);
    const headerBits = writer.out.bitPosition;
    const eightBit = { literal: 5 };
    const nineBit = { literal: 100 };
    let bits = headerBits;
    while ((bits + 27) % 16 !== 0) {
      literals.push(literals.length % 2 === 0 ? nineBit : eightBit);
      bits += literals.length % 2 === 1 ? 9 : 8;
    }
    const restart = new LzxWriter();
    restart.e8Header();
    restart.compressedHeader(literals.length, false);
    restart.tokens(literals, false);
    expect((restart.out.bitPosition + 27) % 16).toBe(0);
    const stored = Buffer.from('stored after an aligned header');
    restart.stored(stored);
    const frame = restart.out.take();

    const expected = [...literals.map((token) => ('literal' in token ? token.literal : 0)), ...stored];
    expect(decodeAll([frame], [expected.length]).equals(Buffer.from(expected))).toBe(true);
  });

  it.each([false, true])('decodes window-wrapping, repeated and long matches (aligned %s)', (aligned) => {
    const next = randomGenerator(aligned ? 7 : 11);
    const total = 5 * LZX_FRAME_SIZE + 777;
    const writer = new LzxWriter();
    writer.e8Header();
    const frames: Buffer[] = [];
    const sizes: number[] = [];
    const expected: number[] = [];
    // One block per frame keeps matches inside their frame, as the format requires.
    for (let start = 0; start < total; start += LZX_FRAME_SIZE) {
      const size = Math.min(LZX_FRAME_SIZE, total - start);
      const tokens: Token[] = [];
      let produced = 0;
      const recent: number[] = [];
      while (produced < size) {
        const room = size - produced;
        const available = expected.length + produced;
        if (available > 0 && room >= 2 && next() < 0.6) {
          const length = Math.min(room, 2 + Math.floor(next() ** 3 * 255));
          const offset =
            recent.length > 0 && next() < 0.3
              ? recent[Math.floor(next() * recent.length)]
              : 1 + Math.floor(next() * Math.min(available, 32768 - 3));
          if (offset > available) continue;
          tokens.push({ length, offset });
          recent.unshift(offset);
          recent.length = Math.min(recent.length, 3);
          produced += length;
        } else {
          tokens.push({ literal: Math.floor(next() * 256) });
          produced++;
        }
      }
      writer.compressedHeader(size, aligned);
      writer.tokens(tokens, aligned);
      expand(tokens, expected);
      frames.push(writer.out.take());
      sizes.push(size);
    }
    expect(decodeAll(frames, sizes).equals(Buffer.from(expected))).toBe(true);
  });

  it('refuses a match that reaches before the start of the data', () => {
    const writer = new LzxWriter();
    writer.e8Header();
    writer.compressedHeader(10, false);
    writer.tokens([{ literal: 1 }, { length: 9, offset: 5 }], false);
    expect(() => decodeAll([writer.out.take()], [10])).toThrow(/before the start of the data/);
  });

  it('refuses a match that runs past the end of its block', () => {
    const writer = new LzxWriter();
    writer.e8Header();
    writer.compressedHeader(10, false);
    writer.tokens([{ literal: 1 }, { length: 20, offset: 1 }], false);
    expect(() => decodeAll([writer.out.take()], [10])).toThrow(/runs past the end of its block/);
  });

  it('refuses a frame whose bits run past its block', () => {
    const writer = new LzxWriter();
    writer.e8Header();
    writer.compressedHeader(2000, false);
    writer.tokens(Array.from({ length: 2000 }, () => ({ literal: 200 })), false);
    const frame = writer.out.take();
    expect(() => decodeAll([frame.subarray(0, frame.length - 40)], [2000])).toThrow(CabError);
  });

  it("decodes a far match's offset bits at the very end of a frame, and refuses the frame cut inside them", () => {
    const writer = new LzxWriter();
    writer.e8Header();
    const tokens: Token[] = [...Array.from({ length: 20_000 }, (_, i) => ({ literal: (i * 7) % 251 })), { length: 12, offset: 19_990 }];
    writer.compressedHeader(20_012, false);
    writer.tokens(tokens, false);
    const frame = writer.out.take();
    const expected: number[] = [];
    expand(tokens, expected);
    expect(decodeAll([frame], [20_012]).equals(Buffer.from(expected))).toBe(true);
    // The match's main symbol, length and 13 extra offset bits are the frame's last 3-4 words.
    for (let cut = 2; cut <= 6; cut += 2) {
      expect(() => decodeAll([frame.subarray(0, frame.length - cut)], [20_012])).toThrow(CabError);
    }
  });

  it('ends with a CabError or output on random input, for every window size', () => {
    const next = randomGenerator(1);
    for (let windowBits = 15; windowBits <= 21; windowBits++) {
      for (let round = 0; round < 200; round++) {
        const input = Buffer.from(Array.from({ length: 1 + Math.floor(next() * 600) }, () => Math.floor(next() * 256)));
        const decoder = new LzxDecoder(windowBits);
        try {
          decoder.decodeFrame(input, 1 + Math.floor(next() * LZX_FRAME_SIZE));
        } catch (error) {
          expect(error).toBeInstanceOf(CabError);
          expect((error as CabError).code).toBe(CabErrorCode.CorruptData);
        }
      }
    }
  });

  it('refuses window sizes outside 15-21', () => {
    expect(() => new LzxDecoder(14)).toThrow(CabError);
    expect(() => new LzxDecoder(22)).toThrow(CabError);
  });
});

describe('undoE8Translation', () => {
  it('turns absolute call targets back into relative ones, leaving the last 10 bytes alone', () => {
    const frame = Buffer.alloc(32);
    frame[0] = 0xe8;
    frame.writeInt32LE(100, 1); // absolute 100 at position 0 -> relative 100
    frame[5] = 0xe8;
    frame.writeInt32LE(105, 6); // absolute 105 at position 5 -> relative 100
    frame[10] = 0xe8;
    frame.writeInt32LE(-3, 11); // negative: -3 + size
    frame[15] = 0xe8;
    frame.writeInt32LE(5000, 16); // not below the translation size: unchanged
    frame[22] = 0xe8; // within the last 10 bytes: unchanged
    frame.writeInt32LE(50, 23);
    undoE8Translation(frame, 0, 1000);
    const operands = [1, 6, 11, 16, 23].map((at) => frame.readInt32LE(at));
    expect(operands).toEqual([100, 100, 997, 5000, 50]);
  });
});
