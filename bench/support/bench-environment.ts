import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { startMinio } from '../../tools/local-pool/local-pool';
import {
  ensureBuild,
  ensureDatabase,
  ensureDebianPrograms,
  ensureMinio,
  ensurePostgres,
  ensureRedis,
  runMigrations,
} from '../../tools/local-pool/prerequisites';
import { ManagedProcess, portAnswers, waitForHttp } from '../../tools/local-pool/processes';
import { MinioObjectStorage } from '../../libs/storage/src/minio-object-storage';
import { OUTSIDE } from '../../test/support/test-resources';
import { seedCatalog, type SeededCatalog } from './bench-catalog';
import { processTree } from './process-sampler';
import type { Progress } from './progress';

export const ROOT = join(__dirname, '..', '..');

const RESOURCES = OUTSIDE['npm run bench:check'];
const [FIRST_PORT] = RESOURCES.ports!;

/**
 * Where the benchmarks run: their own ports, state directory, database, Redis db and MinIO, so
 * they run beside `npm start` and `npm test` (all of them in test/support/test-resources.js).
 */
export const BENCH = {
  host: '127.0.0.1',
  stateDir: join(ROOT, '.pool', 'bench'),
  ports: {
    minio: FIRST_PORT,
    minioConsole: FIRST_PORT + 1,
    internal: FIRST_PORT + 10,
    external: FIRST_PORT + 11,
    baseline: FIRST_PORT + 12,
    nginx: FIRST_PORT + 13,
  },
  databaseUrl: process.env.BENCH_DATABASE_URL ?? `postgres://postgres@127.0.0.1:5432/${RESOURCES.database}`,
  redisUrl: process.env.BENCH_REDIS_URL ?? `redis://127.0.0.1:6379/${RESOURCES.redisDb}`,
  bucket: 'ucupdates-bench',
  nodeId: 'bench-node',
} as const;

export interface EnvironmentOptions {
  progress: Progress;
  /** Start the node under `node --cpu-prof`, its profile written here when it stops. */
  cpuProfileDir?: string;
}

/**
 * Everything the benchmarks need, set up as on a fresh machine (the pool runner's prerequisites:
 * npm dependencies, build, MinIO, Postgres, Redis, nginx), with a freshly seeded catalogue and one
 * frontend node started from dist/ as in production. `stop()` ends every process it started.
 */
export class BenchEnvironment {
  private readonly children: ManagedProcess[] = [];
  private stopping: Promise<void> | null = null;
  node!: ManagedProcess;
  /** The node's environment, for a worker of the same node (scrub.bench.ts). */
  nodeEnv!: NodeJS.ProcessEnv;
  catalog!: SeededCatalog;
  nginxBinary!: string;

  constructor(private readonly options: EnvironmentOptions) {}

  get progress(): Progress {
    return this.options.progress;
  }

  get logDir(): string {
    return join(BENCH.stateDir, 'logs');
  }

  get replicaDir(): string {
    return join(BENCH.stateDir, 'replica');
  }

  /** The node's internal listener, where phones inside send their checks and download. */
  get nodeUrl(): string {
    return `http://${BENCH.host}:${BENCH.ports.internal}`;
  }

  get nodePid(): number {
    const pid = this.node.pid;
    if (pid === undefined || !this.node.running) throw new Error('the frontend node is not running');
    return pid;
  }

  /** Sets everything up; on failure, stops what it had started and throws. */
  async start(): Promise<this> {
    try {
      await this.setUp(this.options);
    } catch (error) {
      await this.stop();
      throw error;
    }
    return this;
  }

  private async setUp(options: EnvironmentOptions): Promise<void> {
    const log = (line: string) => this.progress.step(line);
    ensureBuild(ROOT, log);
    this.nginxBinary = ensureDebianPrograms({ nginx: 'nginx' }, log).nginx;
    const minioBinary = ensureMinio(log);

    killOrphans(join(BENCH.stateDir, 'children.json'), log);
    for (const [name, port] of Object.entries(BENCH.ports)) {
      if (await portAnswers(BENCH.host, port)) {
        throw new Error(`port ${port} (${name}) on ${BENCH.host} is in use: is another benchmark running? Free it and run again`);
      }
    }
    // A fresh state each run: no replica, object or log of an earlier run can change the figures.
    rmSync(BENCH.stateDir, { recursive: true, force: true });
    mkdirSync(this.logDir, { recursive: true });

    await ensurePostgres(BENCH.databaseUrl, log);
    const redis = await ensureRedis(BENCH.redisUrl, BENCH.stateDir, log);
    if (redis) this.track(redis);
    await flushRedisDb(BENCH.redisUrl);

    const s3 = {
      S3_ENDPOINT: `http://${BENCH.host}:${BENCH.ports.minio}`,
      S3_ACCESS_KEY: 'ucupdates-bench',
      S3_SECRET_KEY: randomBytes(18).toString('base64url'),
      S3_BUCKET: BENCH.bucket,
      S3_REGION: 'us-east-1',
    };
    log(`starting MinIO on ${BENCH.host}:${BENCH.ports.minio}…`);
    this.track(
      await startMinio({
        binary: minioBinary,
        dataDir: join(BENCH.stateDir, 'minio'),
        host: BENCH.host,
        port: BENCH.ports.minio,
        consolePort: BENCH.ports.minioConsole,
        accessKey: s3.S3_ACCESS_KEY,
        secretKey: s3.S3_SECRET_KEY,
        logFile: join(this.logDir, 'minio.log'),
      }),
    );

    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TZ: 'UTC',
      NODE_ENV: 'production',
      DATABASE_URL: BENCH.databaseUrl,
      REDIS_URL: BENCH.redisUrl,
      ...s3,
      UCU_NODE_ID: BENCH.nodeId,
      UCU_NODE_URL: this.nodeUrl,
      UCU_REPLICA_DIR: this.replicaDir,
      UCU_AUDIT_JOURNAL_DIR: join(BENCH.stateDir, 'audit-journal'),
      UCU_LISTEN_HOST: BENCH.host,
      UCU_INTERNAL_PORT: String(BENCH.ports.internal),
      UCU_EXTERNAL_PORT: String(BENCH.ports.external),
      UCU_POOL_FQDN: 'bench.ucupdates.test',
      // As in production: one line per request answered.
      UCU_LOG_LEVEL: 'info',
    };
    this.nodeEnv = env;
    log(`creating the database ${new URL(BENCH.databaseUrl).pathname.slice(1)} and applying migrations…`);
    await ensureDatabase(ROOT, BENCH.databaseUrl, { recreate: true });
    runMigrations(ROOT, env);

    log('seeding the catalogue: 300 rules, their versions and files, test devices, a 40 MiB image…');
    const db = new Client({ connectionString: BENCH.databaseUrl });
    await db.connect();
    try {
      this.catalog = await seedCatalog({
        db,
        storage: new MinioObjectStorage({
          endpoint: s3.S3_ENDPOINT,
          accessKey: s3.S3_ACCESS_KEY,
          secretKey: s3.S3_SECRET_KEY,
          bucket: s3.S3_BUCKET,
          region: s3.S3_REGION,
        }),
        replicaDir: this.replicaDir,
        workDir: join(BENCH.stateDir, 'work'),
      });
    } finally {
      await db.end();
    }
    const { catalog } = this;
    log(
      `seeded ${catalog.rules} rules, ${catalog.versions} versions, ${catalog.files} files, ${catalog.testDevices} test devices; ` +
        `${catalog.checks.length} device identities`,
    );

    log(`starting the frontend node (dist/, internal listener on ${BENCH.ports.internal})…`);
    if (options.cpuProfileDir) mkdirSync(options.cpuProfileDir, { recursive: true });
    const profiling = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
    this.node = this.track(
      new ManagedProcess({
        name: 'frontend',
        command: process.execPath,
        args: [...profiling, join(ROOT, 'dist/apps/frontend/apps/frontend/src/main.js')],
        cwd: ROOT,
        env,
        logFile: join(this.logDir, 'frontend.log'),
      }).start(),
    );
    await this.whileRunning(this.node, waitForHttp(`${this.nodeUrl}/readyz`, { timeoutMs: 60_000 }));
  }

  /** Starts a child and keeps it for `stop()` (and for the next run, should this one be killed). */
  track(child: ManagedProcess): ManagedProcess {
    if (!child.running) child.start();
    this.children.push(child);
    writeFileSync(join(BENCH.stateDir, 'children.json'), JSON.stringify(this.children.map((each) => each.pid).filter(Boolean)));
    return child;
  }

  /** Waits for `promise`, failing at once, with the log's last lines, if the child exits first. */
  async whileRunning<T>(child: ManagedProcess, promise: Promise<T>): Promise<T> {
    const exited = child.exited!.then((code): never => {
      throw new Error(`${child.name} exited with code ${code}; last lines of ${child.spec.logFile}:\n${tail(child.spec.logFile, 20)}`);
    });
    return Promise.race([promise, exited]);
  }

  /** Stops every child, the last started first (SIGTERM: the node finishes its work and writes its profile). */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const child of [...this.children].reverse()) {
        await child.stop('SIGTERM', 20_000);
      }
      rmSync(join(BENCH.stateDir, 'children.json'), { force: true });
    })();
    return this.stopping;
  }
}

export async function flushRedisDb(url: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}

/** Kills what a benchmark killed with SIGKILL left behind, if those pids still run our programs. */
export function killOrphans(file: string, log: (line: string) => void): void {
  if (!existsSync(file)) return;
  for (const pid of JSON.parse(readFileSync(file, 'utf8')) as number[]) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (/minio|nginx|haproxy|redis-server|dist\/apps|bare-fastify/.test(cmdline)) {
        // nginx's workers outlive a killed master: the whole tree goes.
        for (const each of processTree(pid).reverse()) process.kill(each, 'SIGKILL');
        log(`killed pid ${pid}, left over from a benchmark that did not stop cleanly`);
      }
    } catch {
      // already gone
    }
  }
}

export function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
