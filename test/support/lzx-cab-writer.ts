import { closeSync, openSync, writeSync } from 'node:fs';
import { cabDataFrame } from '../../libs/cab/src/cab-writer';
// The format's tables, shared with the decoder: the two sides of one format.
import { EXTRA_BITS, POSITION_BASE, POSITION_SLOTS } from '../../libs/cab/src/lzx-decoder';

/**
 * A small LZX compressor and cabinet writer, for tests and the import benchmark: gcab writes only
 * stored and MSZIP cabinets, and Microsoft's own packages are often LZX (update-package.md). It
 * writes valid LZX that cabextract reads (test/support/lzx-cab-writer.spec.ts checks it byte for
 * byte) and that exercises a decoder as real cabinets do — literals and matches through Huffman
 * codes built per block, repeated offsets, window-sized distances, x86 CALL (E8) translation,
 * uncompressed blocks where data does not compress — without trying to compress well: a greedy
 * match finder of one candidate per position, verbatim blocks only (no aligned-offset blocks).
 *
 * The format is MS-PATCH's LZX as cabinets use it (and as libmspack's lzxd.c reads it): one folder,
 * every 32 KiB of input one frame and one CFDATA block; each frame here is one LZX block of its own
 * and ends with the bit stream flushed to a 16-bit boundary, which is what a decoder expects
 * between frames. No match crosses a frame.
 */

const FRAME = 32768;
const MIN_MATCH = 3;
const MAX_MATCH = 257;
const NUM_CHARS = 256;
const LENGTH_SYMBOLS = 249;
const PRETREE_SYMBOLS = 20;
const MAX_CODE_LENGTH = 16;
/** The translation size Microsoft's cabinet compressor announces for E8 translation. */
export const E8_TRANSLATION_SIZE = 12_000_000;
/** E8 translation stops after 32768 frames (1 GiB), and never touches a frame's last 10 bytes. */
const E8_MAX_FRAMES = 32768;
const E8_TAIL = 10;

const HASH_BITS = 17;

/** The pretree is sent fixed: 12 codes of 4 bits and 8 of 5 (complete, and 4-bit lengths fit its fields). */
const PRETREE_LENGTHS = Array.from({ length: PRETREE_SYMBOLS }, (_, symbol) => (symbol < 12 ? 4 : 5));
const PRETREE_CODES = canonicalCodes(PRETREE_LENGTHS);

/** LZX's bit stream: 16-bit little-endian words, each filled from its most significant bit. */
class BitWriter {
  bytes = new Uint8Array(FRAME * 2);
  length = 0;
  private buffer = 0;
  private used = 0;

  reset(): void {
    this.length = 0;
    this.buffer = 0;
    this.used = 0;
  }

  /** Writes the low `count` bits of `value` (count ≤ 17), most significant first. */
  bits(value: number, count: number): void {
    if (count > 16) {
      this.bits(value >>> 16, count - 16);
      this.bits(value & 0xffff, 16);
      return;
    }
    this.buffer = (this.buffer << count) | (value & ((1 << count) - 1));
    this.used += count;
    if (this.used >= 16) {
      this.used -= 16;
      const word = (this.buffer >>> this.used) & 0xffff;
      this.ensure(2);
      this.bytes[this.length++] = word & 0xff;
      this.bytes[this.length++] = word >>> 8;
    }
  }

  /** Zero bits up to the next word boundary (none when there already). */
  align(): void {
    if (this.used > 0) this.bits(0, 16 - this.used);
  }

  get aligned(): boolean {
    return this.used === 0;
  }

  raw(data: Uint8Array): void {
    if (this.used !== 0) throw new Error('raw bytes need a word-aligned stream');
    this.ensure(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  private ensure(more: number): void {
    if (this.length + more <= this.bytes.length) return;
    const grown = new Uint8Array((this.length + more) * 2);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}

/** Canonical codes for the lengths, as LZX's decoders assign them: by length, then by symbol. */
function canonicalCodes(lengths: ArrayLike<number>): Uint32Array {
  const counts = new Uint32Array(MAX_CODE_LENGTH + 1);
  for (let i = 0; i < lengths.length; i++) counts[lengths[i]]++;
  counts[0] = 0;
  const next = new Uint32Array(MAX_CODE_LENGTH + 2);
  let code = 0;
  for (let length = 1; length <= MAX_CODE_LENGTH; length++) {
    code = (code + counts[length - 1]) << 1;
    next[length] = code;
  }
  const codes = new Uint32Array(lengths.length);
  for (let symbol = 0; symbol < lengths.length; symbol++) {
    const length = lengths[symbol];
    if (length > 0) codes[symbol] = next[length]++;
  }
  return codes;
}

/**
 * Huffman code lengths of at most 16 bits for the frequencies, a complete prefix code (a decoder
 * refuses any other); at least two symbols get a code, so unused trees get two dummies. Too-long
 * codes are avoided the simple way: flatten the frequencies and build again.
 */
function huffmanLengths(frequencies: Uint32Array, lengths: Uint8Array): void {
  const count = frequencies.length;
  let weights = Array.from(frequencies);
  let used = weights.filter((weight) => weight > 0).length;
  if (used < 2) {
    for (let symbol = 0; symbol < count && used < 2; symbol++) {
      if (weights[symbol] === 0) {
        weights[symbol] = 1;
        used++;
      }
    }
  }
  for (;;) {
    lengths.fill(0);
    // Nodes: leaves 0..count-1, internal nodes after; a sorted list stands in for a heap (≤ 656 leaves).
    const parent = new Int32Array(count * 2);
    const nodes: { weight: number; id: number }[] = [];
    for (let symbol = 0; symbol < count; symbol++) if (weights[symbol] > 0) nodes.push({ weight: weights[symbol], id: symbol });
    nodes.sort((a, b) => a.weight - b.weight || a.id - b.id);
    let nextId = count;
    let low = 0;
    const merged: { weight: number; id: number }[] = [];
    let mergedLow = 0;
    const takeSmallest = () => {
      if (mergedLow < merged.length && (low >= nodes.length || merged[mergedLow].weight < nodes[low].weight)) return merged[mergedLow++];
      return nodes[low++];
    };
    while (nodes.length - low + merged.length - mergedLow > 1) {
      const a = takeSmallest();
      const b = takeSmallest();
      parent[a.id] = nextId;
      parent[b.id] = nextId;
      merged.push({ weight: a.weight + b.weight, id: nextId++ });
    }
    const root = nextId - 1;
    const depth = new Int32Array(nextId);
    for (let id = root - 1; id >= 0; id--) {
      if (id >= count || weights[id] > 0) depth[id] = id === root ? 0 : depth[parent[id]] + 1;
    }
    let longest = 0;
    for (let symbol = 0; symbol < count; symbol++) {
      if (weights[symbol] > 0) {
        lengths[symbol] = depth[symbol];
        longest = Math.max(longest, depth[symbol]);
      }
    }
    if (longest <= MAX_CODE_LENGTH) return;
    weights = weights.map((weight) => (weight > 0 ? (weight >>> 1) | 1 : 0));
  }
}

/** The encoder's side of E8 translation (relative CALL targets made absolute) to one frame. */
function translateE8(frame: Uint8Array, frameOffset: number, translationSize: number): void {
  const end = frame.length - E8_TAIL;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  let i = 0;
  while (i < end) {
    if (frame[i] !== 0xe8) {
      i++;
      continue;
    }
    const current = frameOffset + i;
    const relative = view.getInt32(i + 1, true);
    if (relative >= -current && relative < translationSize) {
      const absolute = relative + current < translationSize ? relative + current : relative - translationSize;
      view.setInt32(i + 1, absolute | 0, true);
    }
    i += 5;
  }
}

function positionSlot(formatted: number): number {
  let low = 0;
  let high = POSITION_BASE.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (POSITION_BASE[middle] <= formatted) low = middle;
    else high = middle - 1;
  }
  return low;
}

/**
 * The LZX compressor of one folder: `frame` takes the folder's data 32 KiB at a time (only the last
 * frame shorter) and answers each frame's compressed bytes, one CFDATA block's worth.
 */
export class LzxCompressor {
  private readonly windowSize: number;
  private readonly mainSymbols: number;
  /** The last window of input (as translated) and the frame being compressed, from absolute position `bufferStart`. */
  private readonly buffer: Uint8Array;
  private bufferStart = 0;
  private filled = 0;
  private readonly head = new Int32Array(1 << HASH_BITS).fill(-1);
  private readonly headBytes = new Int32Array(1 << HASH_BITS);
  private frames = 0;
  private r0 = 1;
  private r1 = 1;
  private r2 = 1;
  /** What the decoder holds as the last block's lengths: the next trees are sent as deltas to these. */
  private readonly sentMain: Uint8Array;
  private readonly sentLength = new Uint8Array(LENGTH_SYMBOLS);
  private readonly out = new BitWriter();
  // One frame's tokens: a literal as its byte, a match as -(length << 22 | offset) (offsets < 2^21, lengths ≤ 257).
  private readonly tokens = new Int32Array(FRAME);

  constructor(
    readonly windowBits: number,
    readonly e8TranslationSize: number = E8_TRANSLATION_SIZE,
  ) {
    if (windowBits < 15 || windowBits > 21) throw new RangeError(`LZX windows are 2^15 to 2^21, not 2^${windowBits}`);
    this.windowSize = 1 << windowBits;
    this.mainSymbols = NUM_CHARS + POSITION_SLOTS[windowBits - 15] * 8;
    this.sentMain = new Uint8Array(this.mainSymbols);
    // Twice the window: the last window's worth moves to the front once every window, not every frame.
    this.buffer = new Uint8Array(2 * this.windowSize);
  }

  frame(data: Uint8Array): Buffer {
    if (data.length === 0 || data.length > FRAME) throw new RangeError(`a frame holds 1 to ${FRAME} bytes, not ${data.length}`);
    if (this.filled + data.length > this.buffer.length) {
      // Keep the last window's worth; positions stay absolute.
      const keep = this.windowSize;
      this.buffer.copyWithin(0, this.filled - keep, this.filled);
      this.bufferStart += this.filled - keep;
      this.filled = keep;
    }
    const at = this.filled;
    this.buffer.set(data, at);
    const frame = this.buffer.subarray(at, at + data.length);
    const frameStart = this.bufferStart + at;
    if (this.e8TranslationSize !== 0 && this.frames < E8_MAX_FRAMES) translateE8(frame, frameStart, this.e8TranslationSize);
    this.filled += data.length;

    const first = this.frames === 0;
    this.start(first);
    const tokenCount = this.findMatches(at, data.length);
    const saved = { r0: this.r0, r1: this.r1, r2: this.r2, main: Uint8Array.from(this.sentMain), length: Uint8Array.from(this.sentLength) };
    const written = this.verbatimBlock(data.length, tokenCount);
    if (written) this.out.align();
    if (!written || this.out.length > data.length + 16) {
      // Did not compress: an uncompressed block instead, as real compressors do (the trees the
      // decoder holds and the repeated offsets are as before the attempt).
      ({ r0: this.r0, r1: this.r1, r2: this.r2 } = saved);
      this.sentMain.set(saved.main);
      this.sentLength.set(saved.length);
      this.start(first);
      this.storedBlock(frame);
    }
    this.frames++;
    return Buffer.from(this.out.bytes.subarray(0, this.out.length));
  }

  /** A frame's output begins empty; the folder's first with the E8 header (1 bit, and the translation size). */
  private start(first: boolean): void {
    this.out.reset();
    if (!first) return;
    if (this.e8TranslationSize !== 0) {
      this.out.bits(1, 1);
      this.out.bits(this.e8TranslationSize >>> 16, 16);
      this.out.bits(this.e8TranslationSize & 0xffff, 16);
    } else {
      this.out.bits(0, 1);
    }
  }

  /**
   * Greedy matching of the frame at buffer[at..at+size) into `tokens`; answers their number. One
   * candidate per position — the last position whose 3 bytes hashed alike, kept with those bytes so
   * a mismatch costs no read of the window — because on incompressible data every probe of a 2 MiB
   * window misses the CPU's caches (a hash chain made this 50× slower). After a run of misses it
   * probes ever fewer positions, as LZ4 does, so random data passes quickly as literals.
   */
  private findMatches(at: number, size: number): number {
    const buffer = this.buffer;
    const head = this.head;
    const headBytes = this.headBytes;
    const tokens = this.tokens;
    const maxDistance = this.windowSize - 3;
    const base = this.bufferStart;
    const end = at + size;
    // Positions from here on have no 3 bytes left in the frame to hash.
    const lastHashed = end - MIN_MATCH;
    let count = 0;
    let misses = 0;
    let i = at;
    while (i < end) {
      let bestLength = 0;
      let bestDistance = 0;
      if (i <= lastHashed) {
        const bytes = (buffer[i] << 16) | (buffer[i + 1] << 8) | buffer[i + 2];
        const hash = Math.imul(bytes, 0x9e3779b1) >>> (32 - HASH_BITS);
        const absolute = base + i;
        const candidate = head[hash];
        const distance = absolute - candidate;
        if (candidate >= base && headBytes[hash] === bytes && distance > 0 && distance <= maxDistance) {
          const from = candidate - base;
          const limit = Math.min(MAX_MATCH, end - i);
          let length = MIN_MATCH;
          while (length < limit && buffer[from + length] === buffer[i + length]) length++;
          bestLength = length;
          bestDistance = distance;
        }
        head[hash] = absolute;
        headBytes[hash] = bytes;
      }
      if (bestLength >= MIN_MATCH) {
        misses = 0;
        tokens[count++] = -((bestLength << 22) | bestDistance);
        // The positions inside the match are remembered too, so later data can refer to them.
        const matchEnd = Math.min(i + bestLength, lastHashed + 1);
        for (let k = i + 1; k < matchEnd; k++) {
          const bytes = (buffer[k] << 16) | (buffer[k + 1] << 8) | buffer[k + 2];
          const hash = Math.imul(bytes, 0x9e3779b1) >>> (32 - HASH_BITS);
          head[hash] = base + k;
          headBytes[hash] = bytes;
        }
        i += bestLength;
      } else {
        const step = Math.min(1 + (misses++ >> 5), end - i);
        for (let k = 0; k < step; k++) tokens[count++] = buffer[i + k];
        i += step;
      }
    }
    return count;
  }

  /** Writes the frame's tokens as one verbatim block; false (nothing written) when they would not be smaller than the frame. */
  private verbatimBlock(size: number, tokenCount: number): boolean {
    const mainFrequencies = new Uint32Array(this.mainSymbols);
    const lengthFrequencies = new Uint32Array(LENGTH_SYMBOLS);
    // The symbols, with the repeated offsets as the decoder will track them.
    const symbols = new Int32Array(tokenCount);
    const extras = new Int32Array(tokenCount);
    let r0 = this.r0;
    let r1 = this.r1;
    let r2 = this.r2;
    for (let t = 0; t < tokenCount; t++) {
      const token = this.tokens[t];
      if (token >= 0) {
        symbols[t] = token;
        mainFrequencies[token]++;
        continue;
      }
      const length = -token >>> 22;
      const distance = -token & 0x3fffff;
      const header = Math.min(length - 2, 7);
      let slot: number;
      if (distance === r0) {
        slot = 0;
      } else {
        const formatted = distance + 2;
        slot = positionSlot(formatted);
        extras[t] = formatted - POSITION_BASE[slot];
        r2 = r1;
        r1 = r0;
        r0 = distance;
      }
      const symbol = NUM_CHARS + ((slot << 3) | header);
      symbols[t] = symbol;
      mainFrequencies[symbol]++;
      if (header === 7) lengthFrequencies[length - 9]++;
    }
    const mainLengths = new Uint8Array(this.mainSymbols);
    huffmanLengths(mainFrequencies, mainLengths);
    const lengthLengths = new Uint8Array(LENGTH_SYMBOLS);
    if (lengthFrequencies.some((frequency) => frequency > 0)) huffmanLengths(lengthFrequencies, lengthLengths);
    // The tokens' size in bits, known before writing any: data that does not compress is stored
    // without spending the time to write it out first.
    let tokenBits = 0;
    for (let symbol = 0; symbol < this.mainSymbols; symbol++) {
      tokenBits += mainFrequencies[symbol] * mainLengths[symbol];
      if (symbol >= NUM_CHARS + 24) tokenBits += mainFrequencies[symbol] * EXTRA_BITS[(symbol - NUM_CHARS) >>> 3];
    }
    for (let symbol = 0; symbol < LENGTH_SYMBOLS; symbol++) tokenBits += lengthFrequencies[symbol] * lengthLengths[symbol];
    if (tokenBits / 8 > size) return false;

    const out = this.out;
    out.bits(1, 3); // verbatim
    out.bits(size >>> 8, 16);
    out.bits(size & 0xff, 8);
    this.sendLengths(mainLengths, this.sentMain, 0, NUM_CHARS);
    this.sendLengths(mainLengths, this.sentMain, NUM_CHARS, this.mainSymbols);
    this.sendLengths(lengthLengths, this.sentLength, 0, LENGTH_SYMBOLS);

    const mainCodes = canonicalCodes(mainLengths);
    const lengthCodes = canonicalCodes(lengthLengths);
    for (let t = 0; t < tokenCount; t++) {
      const symbol = symbols[t];
      out.bits(mainCodes[symbol], mainLengths[symbol]);
      if (symbol < NUM_CHARS) continue;
      const token = -this.tokens[t];
      const matchCode = symbol - NUM_CHARS;
      if ((matchCode & 7) === 7) {
        const lengthSymbol = (token >>> 22) - 9;
        out.bits(lengthCodes[lengthSymbol], lengthLengths[lengthSymbol]);
      }
      const slot = matchCode >>> 3;
      if (slot >= 3 && EXTRA_BITS[slot] > 0) out.bits(extras[t], EXTRA_BITS[slot]);
    }
    this.r0 = r0;
    this.r1 = r1;
    this.r2 = r2;
    return true;
  }

  /** Sends lengths first..last-1 through the (fixed) pretree, as deltas to what the decoder holds. */
  private sendLengths(lengths: Uint8Array, sent: Uint8Array, first: number, last: number): void {
    const out = this.out;
    for (const length of PRETREE_LENGTHS) out.bits(length, 4);
    const symbol = (code: number) => out.bits(PRETREE_CODES[code], PRETREE_LENGTHS[code]);
    let x = first;
    while (x < last) {
      const value = lengths[x];
      let run = 1;
      while (x + run < last && lengths[x + run] === value) run++;
      if (value === 0 && run >= 20) {
        const n = Math.min(run, 51);
        symbol(18);
        out.bits(n - 20, 5);
        x += n;
      } else if (value === 0 && run >= 4) {
        const n = Math.min(run, 19);
        symbol(17);
        out.bits(n - 4, 4);
        x += n;
      } else if (run >= 4) {
        // One delta, against the first entry's previous length, for the whole run.
        const n = Math.min(run, 5);
        symbol(19);
        out.bits(n - 4, 1);
        symbol((sent[x] - value + 17) % 17);
        x += n;
      } else {
        symbol((sent[x] - value + 17) % 17);
        x++;
      }
    }
    sent.set(lengths.subarray(first, last), first);
  }

  private storedBlock(frame: Uint8Array): void {
    const out = this.out;
    out.bits(3, 3);
    out.bits(frame.length >>> 8, 16);
    out.bits(frame.length & 0xff, 8);
    // 1 to 16 bits of padding: a whole word when the header ended on a boundary.
    if (out.aligned) out.bits(0, 16);
    out.align();
    const repeated = Buffer.alloc(12);
    repeated.writeUInt32LE(this.r0, 0);
    repeated.writeUInt32LE(this.r1, 4);
    repeated.writeUInt32LE(this.r2, 8);
    out.raw(repeated);
    out.raw(frame);
    if (frame.length % 2 === 1) out.raw(Uint8Array.of(0));
  }
}

/** A file of an LZX cabinet: its name and its bytes, in pieces (any sizes) as they are made. */
export interface LzxCabinetFile {
  name: string;
  size: number;
  chunks(): Iterable<Uint8Array>;
}

/**
 * Writes an MS-CAB file of one LZX folder (window 2^windowBits) holding `files` in order, streaming:
 * memory is the compressor's window, whatever the files' size. Answers the cabinet's size.
 */
export function writeLzxCabinet(path: string, files: readonly LzxCabinetFile[], windowBits = 21, e8TranslationSize = E8_TRANSLATION_SIZE): number {
  const total = files.reduce((sum, file) => sum + file.size, 0);
  if (total === 0) throw new RangeError('an LZX cabinet needs at least one byte of data');
  const blocks = Math.max(1, Math.ceil(total / FRAME));
  if (blocks > 65535) throw new RangeError(`a folder holds at most 65535 blocks, not ${blocks}`);
  const entries: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const entry = Buffer.alloc(16);
    entry.writeUInt32LE(file.size, 0);
    entry.writeUInt32LE(offset, 4);
    entry.writeUInt16LE(0, 8); // folder 0
    entry.writeUInt16LE((46 << 9) | (1 << 5) | 1, 10); // 2026-01-01
    entry.writeUInt16LE(0, 12);
    entry.writeUInt16LE(0x20, 14); // archive
    entries.push(entry, Buffer.from(`${file.name}\0`, 'latin1'));
    offset += file.size;
  }
  const fileTable = Buffer.concat(entries);
  const header = Buffer.alloc(36 + 8);
  header.write('MSCF', 0, 'latin1');
  header.writeUInt32LE(44, 16); // coffFiles
  header[24] = 3;
  header[25] = 1;
  header.writeUInt16LE(1, 26); // one folder
  header.writeUInt16LE(files.length, 28);
  header.writeUInt32LE(44 + fileTable.length, 36); // the folder's data
  header.writeUInt16LE(blocks, 40);
  header.writeUInt16LE(3 | (windowBits << 8), 42); // LZX, window
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, header);
    writeSync(fd, fileTable);
    let size = header.length + fileTable.length;
    const compressor = new LzxCompressor(windowBits, e8TranslationSize);
    const frame = Buffer.alloc(FRAME);
    let filled = 0;
    const emit = (plain: Uint8Array) => {
      const block = cabDataFrame(compressor.frame(plain), plain.length);
      writeSync(fd, block);
      size += block.length;
    };
    for (const file of files) {
      let read = 0;
      for (const chunk of file.chunks()) {
        read += chunk.length;
        let at = 0;
        while (at < chunk.length) {
          const taken = Math.min(chunk.length - at, FRAME - filled);
          frame.set(chunk.subarray(at, at + taken), filled);
          filled += taken;
          at += taken;
          if (filled === FRAME) {
            emit(frame);
            filled = 0;
          }
        }
      }
      if (read !== file.size) throw new Error(`${file.name} gave ${read} bytes, not ${file.size}`);
    }
    if (filled > 0) emit(frame.subarray(0, filled));
    const cabinetSize = Buffer.alloc(4);
    cabinetSize.writeUInt32LE(size, 0);
    writeSync(fd, cabinetSize, 0, 4, 8);
    return size;
  } finally {
    closeSync(fd);
  }
}
