import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { type DigestAlgorithm, OffThreadDigest } from './off-thread-digest';

export interface WrittenFile {
  size: number;
  /** One per algorithm, in the order they were given. */
  digests: Buffer[];
}

/**
 * Writes a stream of bytes to `path` (created or truncated) and hashes it on the way, in one of two
 * ways (decision 77):
 *
 * - `offThread`: the bytes go in 1 MiB blocks to the process's hashing thread, which hashes and
 *   writes each block, so the event loop only produces them (on two cores the producing runs beside
 *   the hashing and the writing);
 * - otherwise on the event loop: node:crypto as the bytes pass, then a write stream of 1 MiB
 *   (libuv's pool writes).
 *
 * Either way the file is complete and closed when this resolves; a failure rejects it.
 */
export async function writeAndDigest(
  chunks: AsyncIterable<Uint8Array>,
  path: string,
  algorithms: readonly DigestAlgorithm[],
  options: { offThread: boolean },
): Promise<WrittenFile> {
  let size = 0;
  if (options.offThread) {
    const sink = new OffThreadDigest(algorithms, { writeTo: path });
    try {
      for await (const chunk of chunks) {
        await sink.update(chunk);
        size += chunk.length;
      }
      return { size, digests: await sink.digest() };
    } catch (error) {
      sink.abandon();
      throw error;
    }
  }
  const hashes = algorithms.map((algorithm) => createHash(algorithm));
  await pipeline(
    chunks,
    async function* (source: AsyncIterable<Uint8Array>) {
      for await (const chunk of source) {
        for (const hash of hashes) hash.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    },
    createWriteStream(path, { highWaterMark: 1 << 20 }),
  );
  return { size, digests: hashes.map((hash) => hash.digest()) };
}
