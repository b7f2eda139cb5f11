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
 * Reading forwards (extraction), the next `readAhead` bytes are asked for as soon as a chunk is
 * taken, so the source's read (a file handle's runs in libuv's pool) overlaps the decoding of the
 * chunk instead of the event loop waiting for it: on a busy machine each wait for the pool cost
 * milliseconds. Memory: two buffers of at most max(readAhead, largest request) bytes.
 */
export class SourceReader {
  private chunk: Buffer = Buffer.alloc(0);
  private chunkStart = 0;
  private next: { start: number; length: number; bytes: Promise<Uint8Array> } | null = null;

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
      const next = this.next;
      this.next = null;
      // The chunk read ahead serves when it holds the whole range (a forwards walk); else a read of its own.
      const read = next && next.start <= offset && offset + length <= next.start + next.length ? await next.bytes : null;
      const start = read ? next!.start : offset;
      const bytes = read ?? (await this.source.read(offset, wanted));
      if (start + bytes.length < offset + length) {
        const got = `got ${Math.max(0, start + bytes.length - offset)} of ${length} bytes at ${offset}`;
        throw new CabError(CabErrorCode.Truncated, `the file ends before ${what} (${got})`);
      }
      this.chunk = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.chunkStart = start;
      this.readAheadFrom(start + bytes.length);
    }
    const from = offset - this.chunkStart;
    return this.chunk.subarray(from, from + length);
  }

  private readAheadFrom(start: number): void {
    const length = Math.min(this.readAhead, this.source.size - start);
    if (length <= 0) return;
    const bytes = this.source.read(start, length);
    // Not awaited when the walk goes elsewhere: its failure is the next read's to report.
    bytes.catch(() => undefined);
    this.next = { start, length, bytes };
  }
}
