import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { type Config, loadConfig } from '@ucupdates/config';
import { Client } from 'pg';
import { poolPorts, portOf, resourcesOf, RUNNER } from './test-resources';

/**
 * What `npm test` (tools/local-pool/pool-cli.js) hands the suites: the real Postgres, Redis and a MinIO
 * of its own. Running Jest by hand works too once those are up and these variables are set.
 */
export const ROOT = resolve(__dirname, '..', '..');

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the suites with \`npm test\` (it starts MinIO and sets it)`);
  }
  return value;
}

export const testServices = {
  databaseUrl: (name: string): string => {
    const url = new URL(process.env.UCU_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ucupdates_test');
    url.pathname = `/${name}`;
    return url.toString();
  },
  /** A database of the runner's own Redis (test/support/test-resources.js). */
  redisUrl: (db: number): string => {
    const url = new URL(process.env.UCU_TEST_REDIS_URL ?? `redis://127.0.0.1:${RUNNER.redisPort}`);
    url.pathname = `/${db}`;
    return url.toString();
  },
  get s3(): { S3_ENDPOINT: string; S3_ACCESS_KEY: string; S3_SECRET_KEY: string } {
    return {
      S3_ENDPOINT: required('UCU_TEST_S3_ENDPOINT'),
      S3_ACCESS_KEY: required('UCU_TEST_S3_ACCESS_KEY'),
      S3_SECRET_KEY: required('UCU_TEST_S3_SECRET_KEY'),
    };
  },
  get haproxy(): string {
    return process.env.UCU_TEST_HAPROXY ?? '/usr/sbin/haproxy';
  },
  get stateDir(): string {
    return process.env.UCU_TEST_STATE_DIR ?? resolve(ROOT, '.pool', 'test');
  },
};

/** A fresh, empty database of this name (dropped first if it exists); suites use suiteResources().recreateDatabase(). */
async function recreateDatabase(name: string): Promise<string> {
  const admin = new Client({ connectionString: testServices.databaseUrl('postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return testServices.databaseUrl(name);
}

/**
 * A suite's resources from the table (test/support/test-resources.js, docs/testing.md): its
 * database, its Redis database on the runner's Redis, its block of ports. Call it with `__filename`.
 */
export function suiteResources(file: string) {
  const resources = resourcesOf(file);
  const missing = (what: string) => new Error(`${file} has no ${what} in test/support/test-resources.js: add it there`);
  const ports = () => {
    if (!resources.ports) throw missing('ports');
    return resources.ports;
  };
  return {
    get database(): string {
      if (!resources.database) throw missing('database');
      return resources.database;
    },
    /** The suite's database, fresh and empty; its URL. */
    recreateDatabase(): Promise<string> {
      return recreateDatabase(this.database);
    },
    get redisUrl(): string {
      if (resources.redisDb === undefined) throw missing('redisDb');
      return testServices.redisUrl(resources.redisDb);
    },
    /** A pool's listeners and node ports in the suite's block. */
    get pool(): { internalPort: number; externalPort: number; statsPort: number; nodeBasePort: number } {
      return poolPorts(ports());
    },
    /** The n-th port of the suite's block, for a server of its own (from 190 up, above a pool's). */
    port(n: number): number {
      return portOf(ports(), n);
    },
  };
}

export type SuiteResources = ReturnType<typeof suiteResources>;

/** A configuration for an app under test: the test services plus `overrides` (REDIS_URL among them). */
export function testConfig(overrides: Record<string, string> & { REDIS_URL: string }): Config {
  return loadConfig({
    ...testServices.s3,
    S3_BUCKET: `test-${randomBytes(4).toString('hex')}`,
    UCU_NODE_ID: 'test-node',
    UCU_REPLICA_DIR: resolve(testServices.stateDir, 'replica'),
    // A journal of its own: every answered check is journaled, and a frontend ships what its journal
    // holds into its own database (a shared folder would ship one suite's rows into another's).
    UCU_AUDIT_JOURNAL_DIR: resolve(testServices.stateDir, 'audit-journal', `${process.pid}-${randomBytes(4).toString('hex')}`),
    UCU_LOG_LEVEL: 'warn',
    ...overrides,
  });
}
