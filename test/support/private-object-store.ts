import { join } from 'node:path';
import { startMinio } from '../../tools/local-pool/local-pool';
import { ensureMinio } from '../../tools/local-pool/prerequisites';
import type { ManagedProcess } from '../../tools/local-pool/processes';
import { PrivateSeaweedfs } from './private-seaweedfs';

/** The S3 services the pool is tested against (docs/decisions.md 49). */
export type S3Service = 'minio' | 'seaweedfs';

/**
 * Which S3 service the suites that start one of their own (the fault and replication suites) run
 * on: MinIO in `npm test`, SeaweedFS with `UCU_TEST_S3_SERVICE=seaweedfs` (`npm run test:seaweedfs`).
 */
export function testS3Service(): S3Service {
  const service = process.env.UCU_TEST_S3_SERVICE ?? 'minio';
  if (service !== 'minio' && service !== 'seaweedfs') throw new Error(`UCU_TEST_S3_SERVICE: "${service}" is neither minio nor seaweedfs`);
  return service;
}

/** An S3 service of a suite's own, which it may stop and start again under the pool. */
export interface PrivateObjectStore {
  readonly service: S3Service;
  readonly s3: { S3_ENDPOINT: string; S3_ACCESS_KEY: string; S3_SECRET_KEY: string };
  /** A first start may build the server (SeaweedFS's weed: up to PrivateSeaweedfs.BUILD_TIMEOUT_MS). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** MinIO of a suite's own: its API and console on two ports. */
export class PrivateMinio implements PrivateObjectStore {
  readonly service = 'minio' as const;
  readonly accessKey = 'privateminio';
  readonly secretKey = 'privateminio-secret';
  private process: ManagedProcess | null = null;

  constructor(
    readonly dir: string,
    readonly ports: { api: number; console: number },
  ) {}

  get s3() {
    return { S3_ENDPOINT: `http://127.0.0.1:${this.ports.api}`, S3_ACCESS_KEY: this.accessKey, S3_SECRET_KEY: this.secretKey };
  }

  async start(): Promise<void> {
    this.process = await startMinio({
      binary: ensureMinio(() => undefined),
      dataDir: join(this.dir, 'data'),
      host: '127.0.0.1',
      port: this.ports.api,
      consolePort: this.ports.console,
      accessKey: this.accessKey,
      secretKey: this.secretKey,
      logFile: join(this.dir, 'minio.log'),
    });
  }

  async stop(): Promise<void> {
    await this.process?.stop();
    this.process = null;
  }
}

/**
 * The suite's own S3 service of the kind testS3Service() names; `ports` holds four: MinIO takes
 * the first two, SeaweedFS all four (S3, master, volume, filer; its gRPC listeners on those + 10000).
 */
export function privateObjectStore(dir: string, ports: [number, number, number, number]): PrivateObjectStore {
  return testS3Service() === 'seaweedfs'
    ? new PrivateSeaweedfs(dir, { s3: ports[0], master: ports[1], volume: ports[2], filer: ports[3] })
    : new PrivateMinio(dir, { api: ports[0], console: ports[1] });
}
