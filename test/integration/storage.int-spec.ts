import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { MinioObjectStorage, ObjectTooLargeError } from '@ucupdates/storage';
import { Client } from 'minio';
import { PrivateSeaweedfs } from '../support/private-seaweedfs';
import { suiteResources, testServices } from '../support/test-environment';

const suite = suiteResources(__filename);

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A stream of `total` bytes in 1 MiB chunks, made as it is read (never held whole). */
function generated(total: number, seed: number): { stream: Readable; sha256: Promise<string> } {
  const hash = createHash('sha256');
  let sent = 0;
  let resolveDigest: (digest: string) => void = () => {};
  const sha256 = new Promise<string>((resolve) => (resolveDigest = resolve));
  const stream = new Readable({
    read() {
      if (sent >= total) {
        resolveDigest(hash.digest('hex'));
        this.push(null);
        return;
      }
      const chunk = Buffer.alloc(Math.min(1 << 20, total - sent), (sent / (1 << 20) + seed) % 251);
      hash.update(chunk);
      sent += chunk.length;
      this.push(chunk);
    },
  });
  return { stream, sha256 };
}

type S3Settings = { S3_ENDPOINT: string; S3_ACCESS_KEY: string; S3_SECRET_KEY: string };

// The object store is any S3 service with path-style requests: the same checks run against the
// runner's MinIO and against a SeaweedFS of this suite's own (docs/decisions.md).
describe('MinioObjectStorage against a real MinIO', () => {
  storageChecks(testServices.s3);
});

describe('MinioObjectStorage against SeaweedFS', () => {
  const seaweedfs = new PrivateSeaweedfs(join(testServices.stateDir, 'storage-seaweedfs'), {
    s3: suite.port(190),
    master: suite.port(191),
    volume: suite.port(192),
    filer: suite.port(193),
  });
  beforeAll(() => seaweedfs.start(), PrivateSeaweedfs.BUILD_TIMEOUT_MS);
  afterAll(() => seaweedfs.stop(), 30_000);
  storageChecks(seaweedfs.s3);
});

function storageChecks({ S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY }: S3Settings): void {
  const bucket = `storage-test-${randomBytes(4).toString('hex')}`;
  const storage = new MinioObjectStorage({
    endpoint: S3_ENDPOINT,
    accessKey: S3_ACCESS_KEY,
    secretKey: S3_SECRET_KEY,
    bucket,
    region: 'us-east-1',
  });
  // To look behind the interface: are aborted multipart uploads really gone?
  const endpoint = new URL(S3_ENDPOINT);
  const rawClient = new Client({
    endPoint: endpoint.hostname,
    port: Number(endpoint.port),
    useSSL: false,
    accessKey: S3_ACCESS_KEY,
    secretKey: S3_SECRET_KEY,
  });

  beforeAll(async () => {
    // Twice, as several nodes would at once: the second finds the bucket there.
    await Promise.all([storage.ensureBucket(), storage.ensureBucket()]);
    await storage.ensureBucket();
  });

  it('answers a ping once the bucket exists', async () => {
    await expect(storage.ping()).resolves.toBeUndefined();
  });

  it('stores a stream and reports its size and SHA-256', async () => {
    const body = randomBytes(300_000);
    const stored = await storage.put('files/a', Readable.from([body.subarray(0, 1000), body.subarray(1000)]));
    expect(stored).toEqual({ key: 'files/a', size: body.length, sha256: createHash('sha256').update(body).digest('hex') });
    expect((await readAll(await storage.get('files/a'))).equals(body)).toBe(true);
  });

  it('streams a 40 MiB object in and out with matching hashes', async () => {
    const { stream, sha256 } = generated(40 << 20, 7);
    const stored = await storage.put('files/big', stream);
    expect(stored.size).toBe(40 << 20);
    expect(stored.sha256).toBe(await sha256);
    const hash = createHash('sha256');
    for await (const chunk of await storage.get('files/big')) {
      hash.update(chunk as Buffer);
    }
    expect(hash.digest('hex')).toBe(stored.sha256);
  });

  it('reads a byte range', async () => {
    await storage.put('files/range', Readable.from([Buffer.from('0123456789abcdef')]));
    expect((await readAll(await storage.getRange('files/range', 3, 5))).toString()).toBe('34567');
  });

  it('stats an object and answers null for a missing one', async () => {
    await storage.put('files/stat', Readable.from([Buffer.from('hello')]), { metadata: { 'x-amz-meta-kind': 'test' } });
    const stat = await storage.stat('files/stat');
    expect(stat?.size).toBe(5);
    expect(stat?.metadata['kind'] ?? stat?.metadata['x-amz-meta-kind']).toBe('test');
    expect(await storage.stat('files/none')).toBeNull();
  });

  it('deletes, and deleting a missing object is no error', async () => {
    await storage.put('files/gone', Readable.from([Buffer.from('x')]));
    await storage.remove('files/gone');
    expect(await storage.stat('files/gone')).toBeNull();
    await expect(storage.remove('files/gone')).resolves.toBeUndefined();
  });

  it.each([
    ['in its first part', 3 << 20, 1 << 20],
    ['after whole parts went up (multipart, aborted)', 40 << 20, 20 << 20],
  ])('stops an upload past its size limit %s and keeps nothing of it', async (_, total, maxBytes) => {
    const { stream } = generated(total, 1);
    await expect(storage.put('files/too-big', stream, { maxBytes })).rejects.toBeInstanceOf(ObjectTooLargeError);
    expect(await storage.stat('files/too-big')).toBeNull();
    expect(await rawClient.findUploadId(bucket, 'files/too-big')).toBeUndefined();
  });

  it('fails an upload whose source fails, and keeps nothing of it', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('client went away'));
      },
    });
    await expect(storage.put('files/broken', failing)).rejects.toThrow('client went away');
    expect(await storage.stat('files/broken')).toBeNull();
  });
}
