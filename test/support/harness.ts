import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Role, ROLES } from '@ucupdates/admin-api';
import type { Config } from '@ucupdates/config';
import { createDataSource } from '@ucupdates/database';
import { createLogger, Metrics } from '@ucupdates/observability';
import { MinioObjectStorage } from '@ucupdates/storage';
import { Redis } from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { hashToken } from '../../apps/frontend/src/auth/token-hash';
import { createFrontend, type Frontend } from '../../apps/frontend/src/frontend';
import { LocalPool } from '../../tools/local-pool/local-pool';
import { runMigrations } from '../../tools/local-pool/prerequisites';
import { createPoolPki, type PoolPki } from './test-pki';
import { ROOT, suiteResources, testConfig, testServices } from './test-environment';

/**
 * The one test harness (docs/testing.md): each `use…` function registers its own `beforeAll` and
 * `afterAll` in the describe block (or file) it is called in, takes the suite's resources from the
 * table (test/support/test-resources.js) by the suite's file, and answers a handle whose fields
 * are there from the first test on. Call it with `__filename`:
 *
 *   const app = useTestFrontend(__filename);                   // a frontend in this process
 *   const db = useDataSource(__filename);                       // the suite's database, migrated
 *   const pool = useTestPool(__filename, { name: 'e2e-x', nodes: 2 });  // a real pool behind HAProxy
 */

/** A value the harness's beforeAll sets: reading it before then is a mistake of the suite. */
function later<T>(what: string): { value: T; readonly held: T | undefined; set(value: T): void } {
  let held: T | undefined;
  return {
    get value(): T {
      if (held === undefined) throw new Error(`${what} is set in the harness's beforeAll: use it in a test or a later hook`);
      return held;
    },
    get held(): T | undefined { return held; },
    set(value: T) {
      held = value;
    },
  };
}

/** Applies the migrations and makes the bucket, as the migration step does before the apps start. */
export async function prepareServices(config: Config): Promise<void> {
  const dataSource = await createDataSource(config.DATABASE_URL).initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();
  await new MinioObjectStorage({
    endpoint: config.S3_ENDPOINT,
    accessKey: config.S3_ACCESS_KEY,
    secretKey: config.S3_SECRET_KEY,
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
  }).ensureBucket();
}

/** A frontend in this process, both listeners ready for supertest (not bound to ports); the suite closes it. */
export async function startTestFrontend(config: Config): Promise<Frontend> {
  const logger = createLogger({ app: 'frontend', nodeId: config.UCU_NODE_ID, level: config.UCU_LOG_LEVEL });
  const frontend = await createFrontend(config, logger, new Metrics(config.UCU_NODE_ID, 'frontend'));
  await Promise.all([ready(frontend.internal), ready(frontend.external)]);
  return frontend;
}

async function ready(app: NestFastifyApplication): Promise<void> {
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
}

/** A bearer token of each role: `admin` is the bootstrap token, the others rows named after their role. */
function roleTokens(): Record<Role, string> {
  return Object.fromEntries(ROLES.map((role) => [role, `test-${role}-${randomBytes(16).toString('hex')}`])) as Record<Role, string>;
}

export interface TestFrontendOptions {
  /** Settings beyond the test services' (testConfig); DATABASE_URL, REDIS_URL and the bootstrap token are the harness's. */
  settings?: Record<string, string>;
}

/**
 * A frontend in this process on the suite's fresh database and Redis database, with a token of
 * each role; closed after the suite.
 */
export function useTestFrontend(file: string, options: TestFrontendOptions = {}) {
  const suite = suiteResources(file);
  const tokens = roleTokens();
  const config = later<Config>('the configuration');
  const frontend = later<Frontend>('the frontend');
  beforeAll(async () => {
    config.set(
      testConfig({
        DATABASE_URL: await suite.recreateDatabase(),
        REDIS_URL: suite.redisUrl,
        UCU_BOOTSTRAP_ADMIN_TOKEN: tokens.admin,
        ...options.settings,
      }),
    );
    await prepareServices(config.value);
    frontend.set(await startTestFrontend(config.value));
    for (const role of ROLES.filter((each) => each !== 'admin')) {
      await frontend.value.core
        .get(DataSource)
        .query('INSERT INTO admin_tokens (name, role, token_hash) VALUES ($1, $1, $2)', [role, hashToken(tokens[role])]);
    }
  }, 60_000);
  afterAll(async () => {
    await frontend.held?.close();
  });
  return {
    suite,
    tokens,
    get config(): Config { return config.value; },
    get frontend(): Frontend { return frontend.value; },
    get dataSource(): DataSource { return frontend.value.core.get(DataSource); },
    /** supertest on the internal listener (the admin API, phones inside). */
    internal: () => request(frontend.value.internal.getHttpServer()),
    /** supertest on the external listener (phones outside). */
    external: () => request(frontend.value.external.getHttpServer()),
    /** The Authorization header of a token of this role. */
    as: (role: Role) => ({ Authorization: `Bearer ${tokens[role]}` }),
  };
}

export type TestFrontend = ReturnType<typeof useTestFrontend>;

/** The suite's database, fresh and migrated, as a TypeORM DataSource; destroyed after the suite. */
export function useDataSource(file: string) {
  const suite = suiteResources(file);
  const dataSource = later<DataSource>('the data source');
  const url = later<string>("the database's URL");
  beforeAll(async () => {
    url.set(await suite.recreateDatabase());
    dataSource.set(await createDataSource(url.value).initialize());
    await dataSource.value.runMigrations();
  });
  afterAll(async () => {
    await dataSource.held?.destroy();
  });
  return {
    suite,
    get dataSource(): DataSource { return dataSource.value; },
    get url(): string { return url.value; },
  };
}

export interface TestPoolOptions {
  /** Its folder under the runner's state directory, emptied first: the pool's (pool/), the PKI's (pki/) and the suite's own files. */
  name: string;
  nodes: number;
  /** The nodes' settings beyond the services', the bucket, the bootstrap token and the trusted CA. */
  settings?: Record<string, string>;
  /**
   * Before the pool starts (the database is fresh, the PKI made): servers of the suite's own;
   * answers more settings for the nodes (a REDIS_URL of its own: the runner's Redis is not used).
   */
  before?: (pool: { stateDir: string; pki: PoolPki }) => Promise<Record<string, string>>;
}

/**
 * A real pool (docs/testing.md): `nodes` frontend/worker pairs from dist/ behind HAProxy, on the
 * suite's fresh database, its Redis database (flushed), a bucket of its own and the ports of its
 * block, trusting a test PKI; the migrations applied as in production. Stopped after the suite.
 */
export function useTestPool(file: string, options: TestPoolOptions) {
  const suite = suiteResources(file);
  const stateDir = join(testServices.stateDir, options.name);
  const token = `test-admin-${randomBytes(16).toString('hex')}`;
  const pki = later<PoolPki>('the test PKI');
  const env = later<Record<string, string>>("the nodes' environment");
  const pool = later<LocalPool>('the pool');
  beforeAll(async () => {
    rmSync(stateDir, { recursive: true, force: true });
    mkdirSync(stateDir, { recursive: true });
    pki.set(createPoolPki(join(stateDir, 'pki')));
    const databaseUrl = await suite.recreateDatabase();
    const own = (await options.before?.({ stateDir, pki: pki.value })) ?? {};
    // The suite's database of the runner's Redis, unless it brought a Redis of its own.
    const redisUrl = own.REDIS_URL ?? suite.redisUrl;
    if (own.REDIS_URL === undefined) {
      const redis = new Redis(redisUrl);
      await redis.flushdb();
      await redis.quit();
    }
    env.set({
      PATH: process.env.PATH ?? '',
      TZ: 'UTC',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      ...testServices.s3,
      S3_BUCKET: `ucupdates-${options.name}`,
      UCU_BOOTSTRAP_ADMIN_TOKEN: token,
      UCU_TRUSTED_CA_FILE: pki.value.caFile,
      ...options.settings,
      ...own,
    });
    runMigrations(ROOT, env.value);
    pool.set(
      new LocalPool({
        root: ROOT,
        stateDir: join(stateDir, 'pool'),
        nodes: options.nodes,
        host: '127.0.0.1',
        ...suite.pool,
        haproxy: testServices.haproxy,
        env: env.value,
      }),
    );
    await pool.value.start();
  }, 180_000);
  afterAll(async () => {
    await pool.held?.stop();
  }, 60_000);
  return {
    suite,
    /** The bootstrap admin token. */
    token,
    stateDir,
    get pool(): LocalPool { return pool.value; },
    get pki(): PoolPki { return pki.value; },
    get env(): Record<string, string> { return env.value; },
    get databaseUrl(): string { return env.value.DATABASE_URL; },
  };
}

export type TestPool = ReturnType<typeof useTestPool>;
