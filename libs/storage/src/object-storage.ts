import type { Readable } from 'node:stream';

export interface StoredObject {
  key: string;
  size: number;
  /** SHA-256 of the bytes, computed while they streamed in. */
  sha256: string;
}

export interface ObjectStat {
  size: number;
  etag: string;
  lastModified: Date;
  metadata: Record<string, string>;
}

export interface PutOptions {
  contentType?: string;
  metadata?: Record<string, string>;
  /** Stop the upload with ObjectTooLargeError once more than this many bytes have arrived. */
  maxBytes?: number;
}

export class ObjectTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`object is larger than ${maxBytes} bytes`);
  }
}

/**
 * The object store (MinIO or any S3 service) as ucupdates uses it: streams in and out, never a
 * whole object in memory. Keys are built by `ObjectKeys` (object-keys.ts), which lists the layout.
 * An abstract class so Nest can inject it by type.
 */
export abstract class ObjectStorage {
  /** Creates the bucket if it is missing; safe to call from every node at once. */
  abstract ensureBucket(): Promise<void>;
  /** Streams `body` in while hashing it; never buffers it whole. */
  abstract put(key: string, body: Readable, options?: PutOptions): Promise<StoredObject>;
  abstract get(key: string): Promise<Readable>;
  /** Bytes `offset` to `offset + length - 1`. */
  abstract getRange(key: string, offset: number, length: number): Promise<Readable>;
  /** Copies an object inside the store (no bytes pass through this process). */
  abstract copy(sourceKey: string, targetKey: string): Promise<void>;
  /** The object's size and metadata, or null when there is no such object. */
  abstract stat(key: string): Promise<ObjectStat | null>;
  /** Deletes the object; deleting a missing object is not an error. */
  abstract remove(key: string): Promise<void>;
  /** Throws unless the store answers and the bucket exists (readiness). */
  abstract ping(): Promise<void>;
}
