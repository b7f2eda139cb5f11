import { inflateRawSync } from 'node:zlib';
import { CabError, CabErrorCode } from './cab-error';

/** An MSZIP block never decodes to more than 32 KiB, and that is also the deflate history size. */
export const MSZIP_FRAME_SIZE = 32768;

/**
 * Decodes the MSZIP blocks of one folder. Each CFDATA block is "CK" followed by a complete raw
 * deflate stream; the stream may refer back up to 32 KiB into the output of earlier blocks of the
 * same folder, so the last 32 KiB of output are kept and handed to zlib as its dictionary.
 *
 * zlib is told never to produce more than 32 KiB, so a crafted block cannot expand without bound
 * before its size is checked against the block's declared cbUncomp.
 */
export class MszipDecoder {
  private history: Buffer = Buffer.alloc(0);

  decodeBlock(payload: Uint8Array, uncompressedSize: number): Buffer {
    if (payload.length < 2 || payload[0] !== 0x43 || payload[1] !== 0x4b) {
      throw new CabError(CabErrorCode.CorruptData, 'MSZIP block does not start with "CK"');
    }
    let output: Buffer;
    try {
      output = inflateRawSync(payload.subarray(2), {
        maxOutputLength: MSZIP_FRAME_SIZE,
        ...(this.history.length > 0 ? { dictionary: this.history } : {}),
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
    // A copy, so that a caller changing a returned buffer cannot change what the next block decodes to.
    this.history = Buffer.from(Buffer.concat([this.history, output]).subarray(-MSZIP_FRAME_SIZE));
    return output;
  }
}
