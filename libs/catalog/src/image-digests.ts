import { createHash, Hash } from 'node:crypto';
import { DIGEST_ALGORITHMS, DIGEST_LENGTHS, DigestAlgorithm, digestLabel } from './digest-algorithm';

/** Digests of one image, by algorithm. */
export type ImageDigests = Readonly<Partial<Record<DigestAlgorithm, Buffer>>>;

/** Digests as a caller may hold them: bytes or hex. */
export type ImageDigestsInput = Readonly<Partial<Record<DigestAlgorithm, Uint8Array | string>>>;

/**
 * Hashes an image as it streams past, with every algorithm a catalog may name, so the image is
 * read once (typically while it is being stored) and never held whole. Which algorithm a catalog
 * uses is only known once the catalog is parsed, and the image may come before its catalog in the
 * cabinet, hence all of them by default; SHA-1 and SHA-256 alone cover Windows catalogs.
 */
export class ImageDigester {
  private readonly hashes: [DigestAlgorithm, Hash][];
  private finished = false;

  constructor(algorithms: readonly DigestAlgorithm[] = DIGEST_ALGORITHMS) {
    this.hashes = [...new Set(algorithms)].map((algorithm) => [algorithm, createHash(algorithm)]);
  }

  update(chunk: Uint8Array): this {
    if (this.finished) throw new Error('ImageDigester.update() after digests()');
    for (const [, hash] of this.hashes) hash.update(chunk);
    return this;
  }

  /** The digests of everything passed to update(); the digester cannot be used afterwards. */
  digests(): ImageDigests {
    if (this.finished) throw new Error('ImageDigester.digests() called twice');
    this.finished = true;
    return Object.fromEntries(this.hashes.map(([algorithm, hash]) => [algorithm, hash.digest()]));
  }
}

/** Hashes a whole image, streamed chunk by chunk (or already in memory, for small ones). */
export async function digestImage(
  image: AsyncIterable<Uint8Array> | Uint8Array,
  algorithms: readonly DigestAlgorithm[] = DIGEST_ALGORITHMS,
): Promise<ImageDigests> {
  const digester = new ImageDigester(algorithms);
  if (image instanceof Uint8Array) {
    digester.update(image);
  } else {
    for await (const chunk of image) digester.update(chunk);
  }
  return digester.digests();
}

/**
 * Checks and converts the digests a caller passed. A wrong length or bad hex is the caller's
 * mistake, not a fault of the catalog, so it is a TypeError rather than a CatalogError.
 */
export function normalizeImageDigests(input: ImageDigestsInput): ImageDigests {
  const digests: Partial<Record<DigestAlgorithm, Buffer>> = {};
  for (const algorithm of DIGEST_ALGORITHMS) {
    const value = input[algorithm];
    if (value === undefined) continue;
    let bytes: Buffer;
    if (typeof value === 'string') {
      if (!/^(?:[0-9a-fA-F]{2})*$/.test(value)) throw new TypeError(`the image's ${digestLabel(algorithm)} is not hex`);
      bytes = Buffer.from(value, 'hex');
    } else {
      bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    }
    if (bytes.length !== DIGEST_LENGTHS[algorithm]) {
      throw new TypeError(
        `the image's ${digestLabel(algorithm)} has ${bytes.length} bytes, not ${DIGEST_LENGTHS[algorithm]}`,
      );
    }
    digests[algorithm] = bytes;
  }
  if (Object.keys(digests).length === 0) throw new TypeError('no digest of the image was given');
  return digests;
}
