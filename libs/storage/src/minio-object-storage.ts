import type { Readable } from 'node:stream';
import { OffThreadDigest } from '@ucupdates/hashing';
import { Client, CopyDestinationOptions, CopySourceOptions } from 'minio';
import { ObjectStorage, type ObjectStat, ObjectTooLargeError, type PutOptions, type StoredObject } from './object-storage';

export interface MinioSettings {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region: string;
}

/**
 * Objects go up in parts of this size: memory per upload stays at one part whatever the object's
 * size, and S3's 10,000-part limit still allows objects of 160 GiB.
 */
const PART_SIZE = 16 * 1024 * 1024;

/**
 * Gathers a stream into parts of PART_SIZE (the last one shorter), stopping past `maxBytes`. Every
 * part is the same buffer, filled again once the caller asks for the next (it has sent the last by
 * then): a large upload leaves no 16 MiB of garbage per part, which the collector frees late.
 */
async function* parts(body: Readable, maxBytes: number): AsyncGenerator<Buffer> {
  let part: Buffer | null = null;
  let filled = 0;
  let total = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > maxBytes) {
      throw new ObjectTooLargeError(maxBytes);
    }
    for (let offset = 0; offset < buffer.length; ) {
      part ??= Buffer.allocUnsafeSlow(PART_SIZE);
      const taken = buffer.copy(part, filled, offset, Math.min(buffer.length, offset + PART_SIZE - filled));
      filled += taken;
      offset += taken;
      if (filled === PART_SIZE) {
        yield part;
        filled = 0;
      }
    }
  }
  if (filled > 0 || total === 0) {
    yield (part ?? Buffer.alloc(0)).subarray(0, filled);
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

  /**
   * An object that fits in one part is one PUT; a larger one is a multipart upload, aborted if
   * the stream fails or runs past `maxBytes`, so a failed upload leaves no object behind.
   */
  async put(key: string, body: Readable, options: PutOptions = {}): Promise<StoredObject> {
    // Hashed on the hashing thread: a part's 16 MiB would hold a frontend's event loop for tens of ms.
    const hash = new OffThreadDigest();
    const headers: Record<string, string> = { 'Content-Type': options.contentType ?? 'application/octet-stream' };
    for (const [name, value] of Object.entries(options.metadata ?? {})) {
      headers[name.toLowerCase().startsWith('x-amz-meta-') ? name : `x-amz-meta-${name}`] = value;
    }
    let size = 0;
    let uploadId: string | null = null;
    const etags: { part: number; etag: string }[] = [];
    try {
      for await (const part of parts(body, options.maxBytes ?? Number.POSITIVE_INFINITY)) {
        await hash.update(part);
        size += part.length;
        if (uploadId === null && part.length < PART_SIZE) {
          await this.client.putObject(this.bucket, key, part, part.length, headers);
          break;
        }
        uploadId ??= await this.client.initiateNewMultipartUpload(this.bucket, key, headers);
        const partNumber = etags.length + 1;
        const uploaded = await this.client.uploadPart(
          { bucketName: this.bucket, objectName: key, uploadID: uploadId, partNumber, headers: { 'Content-Length': String(part.length) } },
          part,
        );
        etags.push({ part: partNumber, etag: uploaded.etag });
      }
      if (uploadId !== null) {
        await this.client.completeMultipartUpload(this.bucket, key, uploadId, etags);
      }
    } catch (error) {
      hash.abandon();
      body.destroy();
      if (uploadId !== null) {
        await this.client.abortMultipartUpload(this.bucket, key, uploadId).catch(() => undefined);
      }
      throw error;
    }
    return { key, size, sha256: await hash.hex() };
  }

  get(key: string): Promise<Readable> {
    return this.client.getObject(this.bucket, key);
  }

  getRange(key: string, offset: number, length: number): Promise<Readable> {
    return this.client.getPartialObject(this.bucket, key, offset, length);
  }

  async copy(sourceKey: string, targetKey: string): Promise<void> {
    await this.client.copyObject(
      new CopySourceOptions({ Bucket: this.bucket, Object: sourceKey }),
      new CopyDestinationOptions({ Bucket: this.bucket, Object: targetKey }),
    );
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

  async remove(key: string): Promise<void> {
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
