import { join } from 'node:path';
import { Readable } from 'node:stream';
import { MinioObjectStorage } from '@ucupdates/storage';
import { startSeaweedfs } from '../../tools/local-pool/local-pool';
import { ensureSeaweedfs } from '../../tools/local-pool/prerequisites';
import type { ManagedProcess } from '../../tools/local-pool/processes';

/**
 * SeaweedFS's S3 gateway of a suite's own (`weed server -s3`), the second S3 service the storage
 * suites run against (docs/decisions.md). The first start on a machine builds `weed` (about 14
 * minutes on 2 cores, once). SeaweedFS adds 10000 to each port for its gRPC listener.
 */
export class PrivateSeaweedfs {
  static readonly BUILD_TIMEOUT_MS = 30 * 60_000;
  readonly service = 'seaweedfs' as const;
  readonly accessKey = 'seaweedfs-test';
  readonly secretKey = 'seaweedfs-test-secret';
  private process: ManagedProcess | null = null;

  constructor(
    readonly dir: string,
    readonly ports: { s3: number; master: number; volume: number; filer: number },
  ) {}

  get s3(): { S3_ENDPOINT: string; S3_ACCESS_KEY: string; S3_SECRET_KEY: string } {
    return { S3_ENDPOINT: `http://127.0.0.1:${this.ports.s3}`, S3_ACCESS_KEY: this.accessKey, S3_SECRET_KEY: this.secretKey };
  }

  async start(): Promise<void> {
    const binary = ensureSeaweedfs((line) => process.stdout.write(`${line}\n`));
    this.process = await startSeaweedfs({
      binary,
      dataDir: join(this.dir, 'data'),
      host: '127.0.0.1',
      port: this.ports.s3,
      masterPort: this.ports.master,
      volumePort: this.ports.volume,
      filerPort: this.ports.filer,
      accessKey: this.accessKey,
      secretKey: this.secretKey,
      logFile: join(this.dir, 'seaweedfs.log'),
    });
    // Its first write grows a volume, seconds on a busy machine: done here, not in a test's time.
    const warmUp = new MinioObjectStorage({
      endpoint: this.s3.S3_ENDPOINT,
      accessKey: this.accessKey,
      secretKey: this.secretKey,
      bucket: 'warm-up',
      region: 'us-east-1',
    });
    await warmUp.ensureBucket();
    await warmUp.put('first', Readable.from([Buffer.from('first write')]));
  }

  async stop(): Promise<void> {
    await this.process?.stop();
    this.process = null;
  }
}
