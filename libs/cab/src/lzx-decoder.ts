import { CabError, CabErrorCode } from './cab-error';
import { HuffmanTable, MAX_CODE_LENGTH } from './huffman-table';

/** Each CFDATA block of an LZX folder decodes to one 32 KiB frame (the folder's last may be shorter). */
export const LZX_FRAME_SIZE = 32768;

export const LZX_MIN_WINDOW_BITS = 15;
export const LZX_MAX_WINDOW_BITS = 21;

const MIN_MATCH = 2;
const LITERAL_COUNT = 256;
const PRIMARY_LENGTHS = 7;
const PRETREE_SYMBOLS = 20;
const ALIGNED_SYMBOLS = 8;
const LENGTH_SYMBOLS = 249;
/** Matches at least this long are copied with copyWithin (a memmove) rather than byte by byte. */
const LONG_MATCH = 32;

const BLOCK_VERBATIM = 1;
const BLOCK_ALIGNED = 2;
const BLOCK_UNCOMPRESSED = 3;

/** E8 translation only ever applies to the first 32768 frames (1 GiB) after a reset. */
const E8_MAX_FRAMES = 32768;
/** The last 10 bytes of a frame are never translated, so a translated call never crosses a frame. */
const E8_TAIL = 10;

/** Position slots per window size 2^15 .. 2^21 (the first slot whose base reaches the window). */
export const POSITION_SLOTS = [30, 32, 34, 36, 38, 42, 50];
const MAX_SLOTS = 50;

/** Extra offset bits per position slot: 0,0,0,0,1,1,2,2,... capped at 17. */
export const EXTRA_BITS = new Uint8Array(MAX_SLOTS);
/** Smallest offset (plus 2) each position slot encodes. */
export const POSITION_BASE = new Uint32Array(MAX_SLOTS);
for (let slot = 0; slot < MAX_SLOTS; slot++) {
  EXTRA_BITS[slot] = slot < 4 ? 0 : Math.min(17, (slot >> 1) - 1);
  POSITION_BASE[slot] = slot === 0 ? 0 : POSITION_BASE[slot - 1] + (1 << EXTRA_BITS[slot - 1]);
}

function corrupt(reason: string): CabError {
  return new CabError(CabErrorCode.CorruptData, `LZX data is corrupt: ${reason}`);
}

/**
 * Decodes the LZX stream of one cabinet folder, one CFDATA block (frame) at a time.
 *
 * The decoder is created at the start of the folder (LZX state resets there and nowhere else in a
 * cabinet) and fed the folder's blocks in order. Memory is the window (2^windowBits bytes, at most
 * 2 MiB) plus one output frame.
 *
 * Each block's compressed bytes are decoded on their own: the encoder flushes the bit stream to a
 * 16-bit boundary at the end of every frame, so a frame never needs bits of the next block (the
 * same model as libarchive's reader). Termination on crafted input: every loop either writes at
 * least one byte to a frame of bounded size or consumes input bits, and reading more than a few
 * bytes past the block's end is an error.
 */
export class LzxDecoder {
  private readonly window: Uint8Array;
  private readonly windowSize: number;
  private readonly mainSymbols: number;

  private readonly pretreeLengths = new Uint8Array(PRETREE_SYMBOLS);
  private readonly alignedLengths = new Uint8Array(ALIGNED_SYMBOLS);
  // Main and length code lengths are sent as deltas to the previous block's, so they persist.
  private readonly mainLengths: Uint8Array;
  private readonly lengthLengths = new Uint8Array(LENGTH_SYMBOLS);
  private readonly pretree = new HuffmanTable(PRETREE_SYMBOLS, 6);
  private readonly alignedTree = new HuffmanTable(ALIGNED_SYMBOLS, 7);
  private readonly mainTree: HuffmanTable;
  private readonly lengthTree = new HuffmanTable(LENGTH_SYMBOLS, 12);

  /** Where the next byte goes in the window; a multiple of the frame size between frames. */
  private windowPosition = 0;
  /** Bytes produced since the reset; bounds how far back a match may reach. */
  private decodedSoFar = 0;
  private frameIndex = 0;
  private r0 = 1;
  private r1 = 1;
  private r2 = 1;
  private headerRead = false;
  private e8TranslationSize = 0;
  private blockType = 0;
  private blockLength = 0;
  private blockRemaining = 0;

  // Bit reader over the current block: 16-bit little-endian words, bits taken from the top.
  private input: Uint8Array = new Uint8Array(0);
  private inputPosition = 0;
  private bitBuffer = 0;
  /** Valid bits in the low end of bitBuffer; at most 32. */
  private bitCount = 0;

  constructor(windowBits: number) {
    if (windowBits < LZX_MIN_WINDOW_BITS || windowBits > LZX_MAX_WINDOW_BITS) {
      throw new CabError(CabErrorCode.UnsupportedCompression, `LZX window of 2^${windowBits} bytes`);
    }
    this.windowSize = 1 << windowBits;
    this.window = new Uint8Array(this.windowSize);
    this.mainSymbols = LITERAL_COUNT + POSITION_SLOTS[windowBits - LZX_MIN_WINDOW_BITS] * 8;
    this.mainLengths = new Uint8Array(this.mainSymbols);
    this.mainTree = new HuffmanTable(this.mainSymbols, 12);
  }

  /**
   * Decodes one frame of `frameSize` bytes (1..32768; only the folder's last frame may be shorter
   * than 32768) from the compressed bytes of one CFDATA block. Returns a new buffer.
   */
  decodeFrame(input: Uint8Array, frameSize: number): Buffer {
    if (frameSize <= 0 || frameSize > LZX_FRAME_SIZE || this.windowPosition % LZX_FRAME_SIZE !== 0) {
      throw corrupt(`frame of ${frameSize} bytes follows a short frame or is out of range`);
    }
    this.input = input;
    this.inputPosition = 0;
    this.bitBuffer = 0;
    this.bitCount = 0;

    if (!this.headerRead) {
      this.headerRead = true;
      if (this.readBits(1) === 1) {
        const high = this.readBits(16);
        this.e8TranslationSize = ((high << 16) | this.readBits(16)) | 0;
      }
    }

    const frameStart = this.windowPosition;
    const frameEnd = frameStart + frameSize;
    while (this.windowPosition < frameEnd) {
      if (this.blockRemaining === 0) this.readBlockHeader();
      const run = Math.min(this.blockRemaining, frameEnd - this.windowPosition);
      if (this.blockType === BLOCK_UNCOMPRESSED) this.copyStored(run);
      else this.decodeCompressed(run, frameStart);
      this.blockRemaining -= run;
      // An odd-sized stored block is followed by one padding byte to realign the word stream.
      if (this.blockRemaining === 0 && this.blockType === BLOCK_UNCOMPRESSED && this.blockLength % 2 === 1) {
        if (this.inputPosition < input.length) this.inputPosition++;
      }
    }

    const consumedBits = this.inputPosition * 8 - this.bitCount;
    if (consumedBits > input.length * 8) throw corrupt('a frame needs more bytes than its block holds');

    const output = Buffer.allocUnsafe(frameSize);
    output.set(this.window.subarray(frameStart, frameEnd));
    if (this.e8TranslationSize !== 0 && this.frameIndex < E8_MAX_FRAMES) {
      undoE8Translation(output, this.decodedSoFar, this.e8TranslationSize);
    }

    this.windowPosition = frameEnd === this.windowSize ? 0 : frameEnd;
    this.decodedSoFar += frameSize;
    this.frameIndex++;
    return output;
  }

  private readBlockHeader(): void {
    this.blockType = this.readBits(3);
    const high = this.readBits(16);
    this.blockLength = (high << 8) | this.readBits(8);
    this.blockRemaining = this.blockLength;

    switch (this.blockType) {
      case BLOCK_ALIGNED:
        for (let i = 0; i < ALIGNED_SYMBOLS; i++) this.alignedLengths[i] = this.readBits(3);
        this.buildTree(this.alignedTree, this.alignedLengths, 'aligned offset');
        this.readMainAndLengthTrees();
        break;
      case BLOCK_VERBATIM:
        this.readMainAndLengthTrees();
        break;
      case BLOCK_UNCOMPRESSED: {
        // 1 to 16 bits of padding (a whole word when already aligned, as in libmspack), then a byte
        // stream. After the 27 header bits fewer than 16 bits are buffered, all from the current word.
        if (this.bitCount === 0) this.inputPosition += 2;
        this.bitCount = 0;
        this.bitBuffer = 0;
        const at = this.inputPosition;
        if (at + 12 > this.input.length) throw corrupt('stored block header is cut off');
        const view = Buffer.from(this.input.buffer, this.input.byteOffset, this.input.byteLength);
        this.r0 = view.readUInt32LE(at);
        this.r1 = view.readUInt32LE(at + 4);
        this.r2 = view.readUInt32LE(at + 8);
        this.inputPosition = at + 12;
        break;
      }
      default:
        throw corrupt(`unknown block type ${this.blockType}`);
    }
  }

  private readMainAndLengthTrees(): void {
    this.readLengths(this.mainLengths, 0, LITERAL_COUNT);
    this.readLengths(this.mainLengths, LITERAL_COUNT, this.mainSymbols);
    if (this.buildTree(this.mainTree, this.mainLengths, 'main') === 'empty') {
      throw corrupt('the main tree has no codes');
    }
    this.readLengths(this.lengthLengths, 0, LENGTH_SYMBOLS);
    // Blocks without long matches legitimately send an empty length tree.
    this.buildTree(this.lengthTree, this.lengthLengths, 'length');
  }

  private buildTree(tree: HuffmanTable, lengths: Uint8Array, name: string): 'ok' | 'empty' {
    const result = tree.build(lengths);
    if (result === 'invalid') throw corrupt(`the ${name} tree is not a complete prefix code`);
    return result;
  }

  /** Reads code lengths first..last-1, coded as deltas with a pretree, into `lengths`. */
  private readLengths(lengths: Uint8Array, first: number, last: number): void {
    for (let i = 0; i < PRETREE_SYMBOLS; i++) this.pretreeLengths[i] = this.readBits(4);
    if (this.buildTree(this.pretree, this.pretreeLengths, 'pretree') === 'empty') {
      throw corrupt('the pretree has no codes');
    }

    let x = first;
    while (x < last) {
      const code = this.decodeSymbol(this.pretree);
      if (code <= 16) {
        lengths[x] = (lengths[x] - code + 17) % 17;
        x++;
        continue;
      }
      let run: number;
      let value = 0;
      if (code === 17) {
        run = 4 + this.readBits(4);
      } else if (code === 18) {
        run = 20 + this.readBits(5);
      } else {
        run = 4 + this.readBits(1);
        const delta = this.decodeSymbol(this.pretree);
        if (delta > 16) throw corrupt('a repeated code length is itself a run');
        value = (lengths[x] - delta + 17) % 17;
      }
      // A run may not spill into the next range (libarchive refuses the same).
      if (x + run > last) throw corrupt('a run of code lengths overflows its table');
      lengths.fill(value, x, x + run);
      x += run;
    }
  }

  /** Copies `run` bytes of a stored block from the input into the window. */
  private copyStored(run: number): void {
    const from = this.inputPosition;
    if (from + run > this.input.length) throw corrupt('stored block is cut off');
    this.window.set(this.input.subarray(from, from + run), this.windowPosition);
    this.inputPosition = from + run;
    this.windowPosition += run;
  }

  /**
   * Decodes exactly `run` bytes of a verbatim or aligned block into the window. A match may not
   * run past the end of its block or frame: libmspack refuses those, and refusing keeps every
   * frame self-contained.
   */
  private decodeCompressed(run: number, frameStart: number): void {
    const window = this.window;
    const mask = this.windowSize - 1;
    const aligned = this.blockType === BLOCK_ALIGNED;
    const mainTree = this.mainTree;
    const mainLookup = mainTree.lookup;
    const mainShift = MAX_CODE_LENGTH - mainTree.tableBits;
    const lengthTree = this.lengthTree;
    const lengthLookup = lengthTree.lookup;
    const lengthShift = MAX_CODE_LENGTH - lengthTree.tableBits;
    const input = this.input;
    const inputLength = input.length;
    let position = this.windowPosition;
    const end = position + run;
    const windowSize = this.windowSize;
    /** Bytes decoded before window position 0 of this frame: a match may reach back this far plus `position`. */
    const decodedBeforeFrame = this.decodedSoFar - frameStart;
    let r0 = this.r0;
    let r1 = this.r1;
    let r2 = this.r2;
    // The bit reader's state in locals, with decodeSymbol and ensureBits spelled out for the main
    // tree (method calls and their writes back to the object were half the loop's time); the end of
    // the input, invalid codes, long lengths and offsets' extra bits go through the methods.
    let bitBuffer = this.bitBuffer;
    let bitCount = this.bitCount;
    let inputPosition = this.inputPosition;

    while (position < end) {
      if (bitCount < MAX_CODE_LENGTH) {
        if (inputPosition + 1 < inputLength) {
          bitBuffer = ((bitBuffer << 16) | (input[inputPosition + 1] << 8) | input[inputPosition]) >>> 0;
          inputPosition += 2;
          bitCount += 16;
        } else {
          this.bitBuffer = bitBuffer;
          this.bitCount = bitCount;
          this.inputPosition = inputPosition;
          this.ensureBits(MAX_CODE_LENGTH);
          bitBuffer = this.bitBuffer;
          bitCount = this.bitCount;
          inputPosition = this.inputPosition;
        }
      }
      const next16 = (bitBuffer >>> (bitCount - MAX_CODE_LENGTH)) & 0xffff;
      let entry = mainLookup[next16 >>> mainShift];
      if (entry === 0) {
        entry = mainTree.decodeLong(next16);
        if (entry < 0) throw corrupt('invalid Huffman code');
      }
      bitCount -= entry & 31;
      const symbol = entry >>> 5;
      if (symbol < LITERAL_COUNT) {
        window[position++] = symbol;
        continue;
      }

      const matchCode = symbol - LITERAL_COUNT;
      let length = matchCode & PRIMARY_LENGTHS;
      if (length === PRIMARY_LENGTHS) {
        // Lengths of 9 or more: the length tree, spelled out as the main tree is.
        if (bitCount < MAX_CODE_LENGTH) {
          if (inputPosition + 1 < inputLength) {
            bitBuffer = ((bitBuffer << 16) | (input[inputPosition + 1] << 8) | input[inputPosition]) >>> 0;
            inputPosition += 2;
            bitCount += 16;
          } else {
            this.bitBuffer = bitBuffer;
            this.bitCount = bitCount;
            this.inputPosition = inputPosition;
            this.ensureBits(MAX_CODE_LENGTH);
            bitBuffer = this.bitBuffer;
            bitCount = this.bitCount;
            inputPosition = this.inputPosition;
          }
        }
        const peek = (bitBuffer >>> (bitCount - MAX_CODE_LENGTH)) & 0xffff;
        let lengthEntry = lengthLookup[peek >>> lengthShift];
        if (lengthEntry === 0) {
          lengthEntry = lengthTree.decodeLong(peek);
          if (lengthEntry < 0) throw corrupt('invalid Huffman code');
        }
        bitCount -= lengthEntry & 31;
        length += lengthEntry >>> 5;
      }
      length += MIN_MATCH;

      const slot = matchCode >>> 3;
      let offset: number;
      if (slot === 0) {
        offset = r0;
      } else if (slot === 1) {
        offset = r1;
        r1 = r0;
        r0 = offset;
      } else if (slot === 2) {
        offset = r2;
        r2 = r0;
        r0 = offset;
      } else {
        const extra = EXTRA_BITS[slot];
        offset = POSITION_BASE[slot] - 2;
        if (aligned && extra >= 3) {
          // Aligned blocks' offsets, rarer: through the methods, with the state written back.
          this.bitBuffer = bitBuffer;
          this.bitCount = bitCount;
          this.inputPosition = inputPosition;
          if (extra > 3) offset += this.readBits(extra - 3) << 3;
          offset += this.decodeSymbol(this.alignedTree);
          bitBuffer = this.bitBuffer;
          bitCount = this.bitCount;
          inputPosition = this.inputPosition;
        } else if (extra > 0) {
          // A verbatim offset's extra bits (at most 17: two words may be needed).
          while (bitCount < extra) {
            if (inputPosition + 1 < inputLength) {
              bitBuffer = ((bitBuffer << 16) | (input[inputPosition + 1] << 8) | input[inputPosition]) >>> 0;
              inputPosition += 2;
              bitCount += 16;
            } else {
              this.bitBuffer = bitBuffer;
              this.bitCount = bitCount;
              this.inputPosition = inputPosition;
              this.ensureBits(extra);
              bitBuffer = this.bitBuffer;
              bitCount = this.bitCount;
              inputPosition = this.inputPosition;
            }
          }
          bitCount -= extra;
          offset += (bitBuffer >>> bitCount) & ((1 << extra) - 1);
        }
        r2 = r1;
        r1 = r0;
        r0 = offset;
      }

      if (length > end - position) throw corrupt('a match runs past the end of its block or frame');
      if (offset === 0 || offset > decodedBeforeFrame + position || offset > windowSize) {
        throw corrupt(`a match refers to ${offset} bytes back, before the start of the data`);
      }
      // Forwards: a match may overlap what it writes (offset < length), repeating its last `offset`
      // bytes. Long ones (the bulk of compressible data) are copied by copyWithin from the match's
      // start, each copy at most as long as what is already written of it (so it doubles); short
      // ones byte by byte, cheaper than a call.
      let from = position - offset;
      const matchEnd = position + length;
      if (from >= 0 && length >= LONG_MATCH) {
        while (position < matchEnd) {
          const chunk = Math.min(position - from, matchEnd - position);
          window.copyWithin(position, from, from + chunk);
          position += chunk;
        }
      } else if (from >= 0) {
        // In order, a byte at a time, so an overlapping match repeats itself; matches are at least 2 long.
        window[position] = window[from];
        window[position + 1] = window[from + 1];
        for (let i = 2; i < length; i++) window[position + i] = window[from + i];
        position = matchEnd;
      } else {
        from &= mask;
        while (position < matchEnd) {
          window[position++] = window[from];
          from = (from + 1) & mask;
        }
      }
    }

    this.windowPosition = position;
    this.bitBuffer = bitBuffer;
    this.bitCount = bitCount;
    this.inputPosition = inputPosition;
    this.r0 = r0;
    this.r1 = r1;
    this.r2 = r2;
  }

  private decodeSymbol(tree: HuffmanTable): number {
    this.ensureBits(MAX_CODE_LENGTH);
    const next16 = (this.bitBuffer >>> (this.bitCount - MAX_CODE_LENGTH)) & 0xffff;
    let entry = tree.lookup[next16 >>> (MAX_CODE_LENGTH - tree.tableBits)];
    if (entry === 0) {
      entry = tree.decodeLong(next16);
      if (entry < 0) throw corrupt('invalid Huffman code');
    }
    this.bitCount -= entry & 31;
    return entry >>> 5;
  }

  /** Reads n bits (0..17), most significant first. */
  private readBits(n: number): number {
    this.ensureBits(n);
    this.bitCount -= n;
    return (this.bitBuffer >>> this.bitCount) & ((1 << n) - 1);
  }

  /**
   * Makes sure at least n (at most 17) bits are buffered, one 16-bit word at a time, so bitCount
   * stays at most 32. Past the end of the input it supplies zero words, because a Huffman lookup
   * peeks 16 bits that the last code may not use; more than two words past the end means the
   * stream is broken.
   */
  private ensureBits(n: number): void {
    while (this.bitCount < n) {
      const at = this.inputPosition;
      const input = this.input;
      if (at >= input.length + 4) throw corrupt('the bit stream runs past the end of its block');
      const low = at < input.length ? input[at] : 0;
      const high = at + 1 < input.length ? input[at + 1] : 0;
      this.bitBuffer = ((this.bitBuffer << 16) | (high << 8) | low) >>> 0;
      this.inputPosition = at + 2;
      this.bitCount += 16;
    }
  }
}

/**
 * Reverses the encoder's x86 CALL translation in one frame: after each 0xE8 byte, a 32-bit value
 * that the encoder turned from a relative into an absolute address (within translationSize) is
 * turned back. `frameOffset` is the frame's position in the folder's uncompressed data. Matches
 * libmspack, which is what cabextract (the reference for expected hashes) runs.
 */
export function undoE8Translation(frame: Buffer, frameOffset: number, translationSize: number): void {
  const end = frame.length - E8_TAIL;
  // indexOf finds each 0xE8 natively (memchr): most bytes are not one, and a loop over every byte
  // in JavaScript was a fifth of an LZX frame's decoding time.
  let i = end > 0 ? frame.indexOf(0xe8) : -1;
  while (i >= 0 && i < end) {
    const current = (frameOffset + i) | 0;
    const absolute = frame.readInt32LE(i + 1);
    if (absolute >= -current && absolute < translationSize) {
      const relative = absolute >= 0 ? absolute - current : absolute + translationSize;
      frame.writeInt32LE(relative | 0, i + 1);
    }
    i = frame.indexOf(0xe8, i + 5);
  }
}
