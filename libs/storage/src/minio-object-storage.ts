import { createHash } from 'node:crypto';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { Client } from 'minio';
import { ObjectStorage, type ObjectStat, ObjectTooLargeError, type PutOptions, type StoredObject } from './object-storage';

export interface MinioSettings {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region: string;
}

/** Hashes and counts the bytes that pass through, and stops the stream past a size limit. */
class HashingCounter extends Transform {
  private readonly hash = createHash('sha256');
  size = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      callback(new ObjectTooLargeError(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

export class MinioObjectStorage extends ObjectStorage {
  private readonly client: Client;
  private readonly bucket: string;
  private readonly region: string;

  constructor(settings: MinioSettings) {
    super();
    const endpoint = new URL(settings.endpoint);
    this.client = new Client({
      endPoint: endpoint.hostname,
      port: endpoint.port ? Number(endpoint.port) : undefined,
      useSSL: endpoint.protocol === 'https:',
      accessKey: settings.accessKey,
      secretKey: settings.secretKey,
      region: settings.region,
      // MinIO and most S3-compatible stores want path-style requests.
      pathStyle: true,
    });
    this.bucket = settings.bucket;
    this.region = settings.region;
  }

  async ensureBucket(): Promise<void> {
    if (await this.client.bucketExists(this.bucket)) {
      return;
    }
    try {
      await this.client.makeBucket(this.bucket, this.region);
    } catch (error) {
      // Another node created it between our check and our request.
      if (!isErrorCode(error, 'BucketAlreadyOwnedByYou') && !isErrorCode(error, 'BucketAlreadyExists')) {
        throw error;
      }
    }
  }

  async put(key: string, body: Readable, options: PutOptions = {}): Promise<StoredObject> {
    const counter = new HashingCounter(options.maxBytes ?? Number.POSITIVE_INFINITY);
    // Errors of the source must reach the upload, or it would wait for bytes that never come.
    body.once('error', (error) => counter.destroy(error));
    body.pipe(counter);
    const metadata = { ...(options.metadata ?? {}), 'Content-Type': options.contentType ?? 'application/octet-stream' };
    await this.client.putObject(this.bucket, key, counter, undefined, metadata);
    return { key, size: counter.size, sha256: counter.digest() };
  }

  get(key: string): Promise<Readable> {
    return this.client.getObject(this.bucket, key);
  }

  getRange(key: string, offset: number, length: number): Promise<Readable> {
    return this.client.getPartialObject(this.bucket, key, offset, length);
  }

  async stat(key: string): Promise<ObjectStat | null> {
    try {
      const stat = await this.client.statObject(this.bucket, key);
      return { size: stat.size, etag: stat.etag, lastModified: stat.lastModified, metadata: stat.metaData };
    } catch (error) {
      if (isErrorCode(error, 'NotFound') || isErrorCode(error, 'NoSuchKey')) {
        return null;
      }
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.removeObject(this.bucket, key);
  }

  async ping(): Promise<void> {
    if (!(await this.client.bucketExists(this.bucket))) {
      throw new Error(`bucket ${this.bucket} does not exist`);
    }
  }
}

function isErrorCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
