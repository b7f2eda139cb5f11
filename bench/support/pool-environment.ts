import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { LocalPool, startMinio, startSeaweedfs } from '../../tools/local-pool/local-pool';
import {
  ensureBuild,
  ensureDatabase,
  ensureDebianPrograms,
  ensureMinio,
  ensurePostgres,
  ensureRedis,
  ensureSeaweedfs,
  runMigrations,
} from '../../tools/local-pool/prerequisites';
import { type ManagedProcess, portAnswers } from '../../tools/local-pool/processes';
import { createPoolPki, type PoolPki } from '../../test/support/test-pki';
import { OUTSIDE } from '../../test/support/test-resources';
import { flushRedisDb, killOrphans, ROOT } from './bench-environment';
import type { Progress } from './progress';

const RESOURCES = OUTSIDE['npm run bench:replicate'];
const [FIRST_PORT] = RESOURCES.ports!;

/**
 * Where `npm run bench:replicate` runs: its own ports, state directory, database, Redis db and
 * MinIO, beside `npm start`, `npm test` and `npm run bench:check` (all of them in
 * test/support/test-resources.js).
 */
export const POOL_BENCH = {
  host: '127.0.0.1',
  stateDir: join(ROOT, '.pool', 'bench-replicate'),
  nodes: 3,
  // The object store's S3 port is the first whichever it is; MinIO's console or SeaweedFS's master,
  // volume server and filer take the next ones (SeaweedFS's gRPC listeners those + 10000).
  ports: { minio: FIRST_PORT, minioConsole: FIRST_PORT + 1, internal: FIRST_PORT + 10, external: FIRST_PORT + 11, stats: FIRST_PORT + 14 },
  seaweedfsPorts: { master: FIRST_PORT + 2, volume: FIRST_PORT + 3, filer: FIRST_PORT + 4 },
  /** Node i (1-based) listens on base+i (internal) and base+100+i (external), as LocalPool does. */
  nodeBasePort: FIRST_PORT + 20,
  databaseUrl: process.env.BENCH_REPLICATE_DATABASE_URL ?? `postgres://postgres@127.0.0.1:5432/${RESOURCES.database}`,
  redisUrl: process.env.BENCH_REPLICATE_REDIS_URL ?? `redis://127.0.0.1:6379/${RESOURCES.redisDb}`,
  bucket: 'ucupdates-bench-replicate',
} as const;

export interface S3Settings {
  S3_ENDPOINT: string;
  S3_ACCESS_KEY: string;
  S3_SECRET_KEY: string;
  S3_BUCKET: string;
  S3_REGION: string;
}

/** The S3 services the pool can run on (docs/decisions.md: which is the default, and why). */
export type ObjectStoreKind = 'minio' | 'seaweedfs';
export const STORE_NAMES: Record<ObjectStoreKind, string> = { minio: 'MinIO', seaweedfs: 'SeaweedFS' };

export interface PoolEnvironmentOptions {
  progress: Progress;
  /** The object store to start (default MinIO). */
  store?: ObjectStoreKind;
  /** Start node 1's worker under `node --cpu-prof`, its profile written here when it stops. */
  cpuProfileDir?: string;
}

/**
 * A pool of three nodes (frontend + worker each, from dist/, as `npm start` runs them) behind
 * HAProxy, with a MinIO, a database and a Redis db of its own, and a test PKI the pool trusts
 * (UCU_TRUSTED_CA_FILE) to sign the packages uploaded to it. `stop()` ends every process it started.
 */
export class PoolEnvironment {
  private readonly children: ManagedProcess[] = [];
  private stopping: Promise<void> | null = null;
  pool!: LocalPool;
  /** The S3 service's process (MinIO or SeaweedFS). */
  objectStore!: ManagedProcess;
  pki!: PoolPki;
  db!: PgClient;
  s3!: S3Settings;
  readonly adminToken = `ucu_bench_${randomBytes(24).toString('base64url')}`;

  constructor(private readonly options: PoolEnvironmentOptions) {}

  get progress(): Progress {
    return this.options.progress;
  }

  get stateDir(): string {
    return POOL_BENCH.stateDir;
  }

  get logDir(): string {
    return join(POOL_BENCH.stateDir, 'logs');
  }

  /** A scratch directory on the same file system as the replica stores. */
  get workDir(): string {
    return join(POOL_BENCH.stateDir, 'work');
  }

  get nodeIds(): string[] {
    return this.pool.nodeIds;
  }

  async start(): Promise<this> {
    try {
      await this.setUp();
    } catch (error) {
      await this.stop();
      throw error;
    }
    return this;
  }

  private async setUp(): Promise<void> {
    const log = (line: string) => this.progress.step(line);
    ensureBuild(ROOT, log);
    const programs = ensureDebianPrograms({ haproxy: 'haproxy', gcab: 'gcab', openssl: 'openssl' }, log);
    const store = this.options.store ?? 'minio';
    const storeBinary = store === 'seaweedfs' ? ensureSeaweedfs(log) : ensureMinio(log);

    killOrphans(join(POOL_BENCH.stateDir, 'children.json'), log);
    const ports: [string, number][] = Object.entries(POOL_BENCH.ports);
    for (let i = 1; i <= POOL_BENCH.nodes; i++) {
      ports.push([`node ${i}`, POOL_BENCH.nodeBasePort + i], [`node ${i} external`, POOL_BENCH.nodeBasePort + 100 + i]);
    }
    for (const [name, port] of ports) {
      if (await portAnswers(POOL_BENCH.host, port)) {
        throw new Error(`port ${port} (${name}) on ${POOL_BENCH.host} is in use: is another benchmark running? Free it and run again`);
      }
    }
    // A fresh state each run: replica stores, objects and logs of an earlier run go.
    rmSync(POOL_BENCH.stateDir, { recursive: true, force: true });
    mkdirSync(this.logDir, { recursive: true });
    mkdirSync(this.workDir, { recursive: true });

    await ensurePostgres(POOL_BENCH.databaseUrl, log);
    const redis = await ensureRedis(POOL_BENCH.redisUrl, POOL_BENCH.stateDir, log);
    if (redis) this.track(redis);
    await flushRedisDb(POOL_BENCH.redisUrl);

    this.s3 = {
      S3_ENDPOINT: `http://${POOL_BENCH.host}:${POOL_BENCH.ports.minio}`,
      S3_ACCESS_KEY: 'ucupdates-bench',
      S3_SECRET_KEY: randomBytes(18).toString('base64url'),
      S3_BUCKET: POOL_BENCH.bucket,
      S3_REGION: 'us-east-1',
    };
    log(`starting ${STORE_NAMES[store]} on ${POOL_BENCH.host}:${POOL_BENCH.ports.minio}…`);
    const storeSettings = {
      binary: storeBinary,
      dataDir: join(POOL_BENCH.stateDir, store),
      host: POOL_BENCH.host,
      port: POOL_BENCH.ports.minio,
      accessKey: this.s3.S3_ACCESS_KEY,
      secretKey: this.s3.S3_SECRET_KEY,
      logFile: join(this.logDir, `${store}.log`),
    };
    this.objectStore = this.track(
      store === 'seaweedfs'
        ? await startSeaweedfs({
            ...storeSettings,
            masterPort: POOL_BENCH.seaweedfsPorts.master,
            volumePort: POOL_BENCH.seaweedfsPorts.volume,
            filerPort: POOL_BENCH.seaweedfsPorts.filer,
          })
        : await startMinio({ ...storeSettings, consolePort: POOL_BENCH.ports.minioConsole }),
    );

    log('making a test PKI (openssl) for the pool to trust…');
    this.pki = createPoolPki(join(POOL_BENCH.stateDir, 'pki'));

    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TZ: 'UTC',
      NODE_ENV: 'production',
      DATABASE_URL: POOL_BENCH.databaseUrl,
      REDIS_URL: POOL_BENCH.redisUrl,
      ...this.s3,
      UCU_BOOTSTRAP_ADMIN_TOKEN: this.adminToken,
      UCU_TRUSTED_CA_FILE: this.pki.caFile,
      UCU_POOL_FQDN: 'bench-replicate.ucupdates.test',
      UCU_LOG_LEVEL: 'info',
    };
    log(`creating the database ${new URL(POOL_BENCH.databaseUrl).pathname.slice(1)} and applying migrations…`);
    await ensureDatabase(ROOT, POOL_BENCH.databaseUrl, { recreate: true });
    runMigrations(ROOT, env);

    this.pool = new LocalPool({
      root: ROOT,
      stateDir: POOL_BENCH.stateDir,
      nodes: POOL_BENCH.nodes,
      host: POOL_BENCH.host,
      internalPort: POOL_BENCH.ports.internal,
      externalPort: POOL_BENCH.ports.external,
      statsPort: POOL_BENCH.ports.stats,
      nodeBasePort: POOL_BENCH.nodeBasePort,
      haproxy: programs.haproxy,
      env,
    });
    if (this.options.cpuProfileDir) {
      mkdirSync(this.options.cpuProfileDir, { recursive: true });
      const worker = this.pool.workers[0];
      worker.spec.args = ['--cpu-prof', '--cpu-prof-dir', this.options.cpuProfileDir, ...worker.spec.args];
    }
    log(`starting ${POOL_BENCH.nodes} nodes (dist/) and HAProxy on ${POOL_BENCH.host}:${POOL_BENCH.ports.internal}…`);
    const started = this.pool.start();
    // Recorded as soon as they run, so the next run kills them should this one be killed outright.
    for (const child of this.pool.processes()) this.track(child, false);
    await started.finally(() => this.recordChildren());

    this.db = new PgClient({ connectionString: POOL_BENCH.databaseUrl });
    await this.db.connect();
  }

  /** Keeps a child for `stop()` and for the next run's orphan check. */
  track(child: ManagedProcess, record = true): ManagedProcess {
    this.children.push(child);
    if (record) this.recordChildren();
    return child;
  }

  private recordChildren(): void {
    writeFileSync(
      join(POOL_BENCH.stateDir, 'children.json'),
      JSON.stringify(this.children.map((each) => each.pid).filter(Boolean)),
    );
  }

  /** Stops the pool (SIGTERM: node 1's worker writes its profile), then MinIO and Redis if started. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.db?.end().catch(() => undefined);
      if (this.pool) await this.pool.stop();
      for (const child of [...this.children].reverse()) {
        await child.stop('SIGTERM', 20_000);
      }
      rmSync(join(POOL_BENCH.stateDir, 'children.json'), { force: true });
    })();
    return this.stopping;
  }
}
