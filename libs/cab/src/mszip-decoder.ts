import { inflateRawSync } from 'node:zlib';
import { CabError, CabErrorCode } from './cab-error';

/** An MSZIP block never decodes to more than 32 KiB, and that is also the deflate history size. */
export const MSZIP_FRAME_SIZE = 32768;

/**
 * zlib's output buffer for one block: a little more than a block, so that a whole block comes out of
 * one call into one buffer. At zlib's default (16 KiB) every block took two or three calls and a
 * Buffer.concat; at exactly 32 KiB, one more call to find the output complete.
 */
const INFLATE_CHUNK_SIZE = MSZIP_FRAME_SIZE + 64;

/**
 * Decodes the MSZIP blocks of one folder. Each CFDATA block is "CK" followed by a complete raw
 * deflate stream; the stream may refer back up to 32 KiB into the output of earlier blocks of the
 * same folder, so the last 32 KiB of output are kept and handed to zlib as its dictionary.
 *
 * zlib is told never to produce more than 32 KiB, so a crafted block cannot expand without bound
 * before its size is checked against the block's declared cbUncomp.
 *
 * Cost per block (docs/performance.md, "Import"): one zlib set-up (node:zlib has no public way to
 * reset an inflater with a new dictionary), the inflate itself, and one 32 KiB copy into the history.
 */
export class MszipDecoder {
  /** The last `historyLength` bytes of output, at the end of this buffer. */
  private readonly history = Buffer.alloc(MSZIP_FRAME_SIZE);
  private historyLength = 0;

  decodeBlock(payload: Uint8Array, uncompressedSize: number): Buffer {
    if (payload.length < 2 || payload[0] !== 0x43 || payload[1] !== 0x4b) {
      throw new CabError(CabErrorCode.CorruptData, 'MSZIP block does not start with "CK"');
    }
    let output: Buffer;
    try {
      output = inflateRawSync(payload.subarray(2), {
        maxOutputLength: MSZIP_FRAME_SIZE,
        chunkSize: INFLATE_CHUNK_SIZE,
        // zlib copies the dictionary when it starts, so the history can be overwritten below.
        ...(this.historyLength > 0 ? { dictionary: this.history.subarray(MSZIP_FRAME_SIZE - this.historyLength) } : {}),
      });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new CabError(CabErrorCode.CorruptData, `MSZIP data is corrupt: ${detail}`);
    }
    if (output.length !== uncompressedSize) {
      throw new CabError(
        CabErrorCode.CorruptData,
        `MSZIP block decodes to ${output.length} bytes, its header says ${uncompressedSize}`,
      );
    }
    this.remember(output);
    return output;
  }

  /**
   * Keeps the last 32 KiB of output in a buffer of the decoder's own (a copy, so that a caller
   * changing a returned buffer cannot change what the next block decodes to).
   */
  private remember(output: Buffer): void {
    if (output.length >= MSZIP_FRAME_SIZE) {
      output.copy(this.history, 0, output.length - MSZIP_FRAME_SIZE);
      this.historyLength = MSZIP_FRAME_SIZE;
      return;
    }
    this.history.copyWithin(0, output.length);
    output.copy(this.history, MSZIP_FRAME_SIZE - output.length);
    this.historyLength = Math.min(MSZIP_FRAME_SIZE, this.historyLength + output.length);
  }
}
