import type { FileHandle } from 'node:fs/promises';
import { CabError, CabErrorCode } from './cab-error';

/**
 * Random access to the bytes of a cabinet file. CFDATA blocks are found by offsets from the
 * headers, so the reader asks for ranges rather than consuming a stream; a file handle or S3 range
 * GETs serve this directly.
 */
export interface CabSource {
  /** Size of the whole file in bytes, including anything after the cabinet (a signature). */
  readonly size: number;
  /**
   * Returns the bytes [offset, offset + length). It may return fewer only when the range runs past
   * the end of the file. The reader keeps the returned bytes and hands out views of them, so the
   * source must not reuse the memory afterwards.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A source over bytes already in memory (tests, small files). */
export function bufferSource(bytes: Uint8Array): CabSource {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, offset + length),
  };
}

/** A source over an open file; the caller owns the handle and closes it. */
export function fileHandleSource(handle: FileHandle, size: number): CabSource {
  return {
    size,
    read: async (offset, length) => {
      const buffer = Buffer.allocUnsafeSlow(Math.max(0, Math.min(length, size - offset)));
      let filled = 0;
      while (filled < buffer.length) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buffer.subarray(0, filled);
    },
  };
}

/**
 * Reads exact ranges from a CabSource through one read-ahead buffer, so walking small structures
 * (CFDATA headers, file entries) costs one source read per `readAhead` bytes, not one per field.
 * Memory: one buffer of at most max(readAhead, largest request) bytes.
 */
export class SourceReader {
  private chunk: Buffer = Buffer.alloc(0);
  private chunkStart = 0;

  constructor(
    private readonly source: CabSource,
    private readonly readAhead: number,
  ) {}

  get size(): number {
    return this.source.size;
  }

  /** Exactly `length` bytes at `offset`, or a Truncated error saying what was being read. */
  async bytes(offset: number, length: number, what: string): Promise<Buffer> {
    if (offset < 0 || length < 0 || offset + length > this.source.size) {
      const range = `bytes ${offset}..${offset + length} of ${this.source.size}`;
      throw new CabError(CabErrorCode.Truncated, `the file ends before ${what} (${range})`);
    }
    const chunkEnd = this.chunkStart + this.chunk.length;
    if (offset < this.chunkStart || offset + length > chunkEnd) {
      const wanted = Math.min(Math.max(length, this.readAhead), this.source.size - offset);
      const read = await this.source.read(offset, wanted);
      if (read.length < length) {
        const got = `got ${read.length} of ${length} bytes at ${offset}`;
        throw new CabError(CabErrorCode.Truncated, `the file ends before ${what} (${got})`);
      }
      this.chunk = Buffer.from(read.buffer, read.byteOffset, read.byteLength);
      this.chunkStart = offset;
    }
    const from = offset - this.chunkStart;
    return this.chunk.subarray(from, from + length);
  }
}
