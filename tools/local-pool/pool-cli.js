#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * `npm start` and `npm test` (docs/local-pool.md). Both first set up what a fresh machine lacks:
 * npm dependencies, the build, the MinIO server, HAProxy, and Postgres/Redis when none answers.
 *
 *   start  runs a pool of three nodes behind HAProxy until Ctrl-C, then stops all it started.
 *   test   runs every test suite (extra arguments go to Jest) against a MinIO of its own.
 */

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const prerequisites = require('./prerequisites');
const { ManagedProcess, isAlive, portAnswers, waitForPort } = require('./processes');

const ROOT = path.resolve(__dirname, '..', '..');
const { RUNNER: TEST_RESOURCES } = require('../../test/support/test-resources');
const log = (/** @type {string} */ line) => process.stdout.write(`[ucupdates] ${line}\n`);

/**
 * `npm start` on the ports of operations.md. POOL_PORT_OFFSET shifts every port and POOL_STATE_DIR
 * moves the state, to run a second pool beside the first (the runner's own test does).
 */
function startProfile() {
  const offset = Number(process.env.POOL_PORT_OFFSET ?? 0);
  if (!Number.isInteger(offset) || offset < 0 || offset > 50_000) {
    throw new Error(`POOL_PORT_OFFSET must be a whole number from 0 to 50000, not "${process.env.POOL_PORT_OFFSET}"`);
  }
  return {
    stateDir: process.env.POOL_STATE_DIR ? path.resolve(process.env.POOL_STATE_DIR) : path.join(ROOT, '.pool'),
    internalPort: 8080 + offset,
    externalPort: 8081 + offset,
    statsPort: 8404 + offset,
    nodeBasePort: 8100 + offset,
    minioPort: 9000 + offset,
    minioConsolePort: 9001 + offset,
    databaseUrl: 'postgres://postgres@127.0.0.1:5432/ucupdates',
    redisUrl: 'redis://127.0.0.1:6379/0',
    programs: { haproxy: 'haproxy' },
  };
}

/**
 * `npm test`: its own state, MinIO, Redis server and databases (test/support/test-resources.js),
 * so it runs beside a running pool and the benchmarks.
 */
const TEST_PROFILE = {
  stateDir: path.join(ROOT, '.pool', 'test'),
  minioPort: TEST_RESOURCES.minioPort,
  minioConsolePort: TEST_RESOURCES.minioConsolePort,
  databaseUrl: `postgres://postgres@127.0.0.1:5432/${TEST_RESOURCES.database}`,
  redisUrl: `redis://127.0.0.1:${TEST_RESOURCES.redisPort}/0`,
  // chromium: the control panel's browser tests (test/e2e/control-panel.e2e-spec.ts) drive it headless.
  // slapd (and its slapadd): the directory the sign-in tests start (test/support/test-directory.ts);
  // ldapmodify changes it under a running test (a user taken out of a group).
  // swupdate and cpio: Debian's SWUpdate, the DDI client the tests run, and the packer of its
  // images (test/support/swu-builder.ts; docs/ddi.md).
  programs: {
    haproxy: 'haproxy',
    gcab: 'gcab',
    cabextract: 'cabextract',
    chromium: 'chromium',
    'redis-server': 'redis-server',
    // The fault suite's Sentinels (test/support/private-sentinels.ts).
    'redis-sentinel': 'redis-sentinel',
    slapd: 'slapd',
    slapadd: 'slapd',
    ldapmodify: 'ldap-utils',
    swupdate: 'swupdate',
    cpio: 'cpio',
  },
};

/**
 * @typedef {{ stateDir: string, minioPort: number, minioConsolePort: number, databaseUrl: string, redisUrl: string,
 *             programs: Record<string, string> }} Profile
 * @typedef {{ haproxy: string, databaseUrl: string, redisUrl: string, s3: Record<string, string>,
 *             secrets: { adminToken: string, minioAccessKey: string, minioSecretKey: string } }} Services
 */

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== 'start' && command !== 'test') {
    process.stderr.write('usage: pool-cli.js start | test [jest arguments]\n');
    process.exit(2);
  }
  const profile = command === 'start' ? startProfile() : TEST_PROFILE;
  fs.mkdirSync(profile.stateDir, { recursive: true });
  const releaseLock = takeLock(profile.stateDir, command);
  /** @type {ManagedProcess[]} */
  const started = [];
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    for (const child of [...started].reverse()) {
      await child.stop();
    }
    releaseLock();
  };
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
    process.once(signal, () => {
      if (!stopping) {
        log(`${signal}: stopping everything this runner started…`);
        void stopAll().then(() => process.exit(130));
      }
    });
  }

  try {
    const services = await setUp(profile, started);
    if (command === 'start') {
      await startPool(/** @type {ReturnType<typeof startProfile>} */ (profile), services, started);
      await new Promise(() => {}); // until a signal
    } else {
      const code = await runTests(profile, services, rest);
      await stopAll();
      process.exit(code);
    }
  } catch (error) {
    process.stderr.write(`[ucupdates] ${/** @type {Error} */ (error).message}\n`);
    await stopAll();
    process.exit(1);
  }
}

/**
 * Refuses to run beside a runner of the same kind (they would fight over ports), and cleans up
 * after one that was killed without stopping its children.
 */
function takeLock(/** @type {string} */ stateDir, /** @type {string} */ command) {
  const lockFile = path.join(stateDir, 'runner.pid');
  const childrenFile = path.join(stateDir, 'children.json');
  if (fs.existsSync(lockFile)) {
    const pid = Number(fs.readFileSync(lockFile, 'utf8'));
    if (pid && pid !== process.pid && isAlive(pid)) {
      process.stderr.write(
        `[ucupdates] a pool runner (npm ${command}) is already running as pid ${pid}; ` +
          `stop it with Ctrl-C in its terminal (or kill ${pid}) before starting another\n`,
      );
      process.exit(1);
    }
    killOrphans(childrenFile);
  }
  fs.writeFileSync(lockFile, String(process.pid));
  return () => {
    fs.rmSync(lockFile, { force: true });
    fs.rmSync(childrenFile, { force: true });
  };
}

/** Kills what a dead runner left behind, if those pids still run our programs. */
function killOrphans(/** @type {string} */ childrenFile) {
  if (!fs.existsSync(childrenFile)) {
    return;
  }
  for (const pid of /** @type {number[]} */ (JSON.parse(fs.readFileSync(childrenFile, 'utf8')))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (/minio|haproxy|redis-server|dist\/apps/.test(cmdline)) {
        process.kill(pid, 'SIGKILL');
        log(`killed pid ${pid}, left over from a runner that did not stop cleanly`);
      }
    } catch {
      // already gone
    }
  }
}

function recordChildren(/** @type {string} */ stateDir, /** @type {ManagedProcess[]} */ children) {
  const pids = children.map((child) => child.pid).filter(Boolean);
  fs.writeFileSync(path.join(stateDir, 'children.json'), JSON.stringify(pids));
}

/** Persistent local secrets: the generated admin token and MinIO key survive restarts. */
function localSecrets(/** @type {string} */ stateDir) {
  const file = path.join(stateDir, 'secrets.json');
  if (!fs.existsSync(file)) {
    const secrets = {
      adminToken: `ucu_${crypto.randomBytes(32).toString('base64url')}`,
      minioAccessKey: 'ucupdates',
      minioSecretKey: crypto.randomBytes(24).toString('base64url'),
    };
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return /** @type {{ adminToken: string, minioAccessKey: string, minioSecretKey: string }} */ (
    JSON.parse(fs.readFileSync(file, 'utf8'))
  );
}

/**
 * Everything but the pool itself: dependencies, build, binaries, Postgres, Redis, MinIO.
 * Returns the service settings the apps get.
 */
async function setUp(/** @type {Profile} */ profile, /** @type {ManagedProcess[]} */ started) {
  prerequisites.ensureNpmDependencies(ROOT, log);
  prerequisites.ensureBuild(ROOT, log);
  const programs = prerequisites.ensureDebianPrograms(profile.programs, log);
  const secrets = localSecrets(profile.stateDir);
  const databaseUrl = process.env.DATABASE_URL ?? profile.databaseUrl;
  await prerequisites.ensurePostgres(databaseUrl, log);
  /** @type {string} */
  let redisUrl;
  if (profile === TEST_PROFILE) {
    // A Redis of the tests' own, empty at every run: the suites never touch the machine's.
    redisUrl = profile.redisUrl;
    await assertPortsFree([TEST_RESOURCES.redisPort]);
    started.push(await startTestRedis(programs['redis-server'], profile.stateDir));
  } else {
    redisUrl = process.env.REDIS_URL ?? profile.redisUrl;
    const redis = await prerequisites.ensureRedis(redisUrl, profile.stateDir, log);
    if (redis) {
      started.push(redis);
    }
  }

  /** @type {Record<string, string>} */
  let s3;
  if (process.env.S3_ENDPOINT) {
    s3 = pick(process.env, ['S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'S3_BUCKET', 'S3_REGION']);
    log(`using the object store at ${process.env.S3_ENDPOINT}`);
  } else {
    const binary = prerequisites.ensureMinio(log);
    const dataDir = path.join(profile.stateDir, 'minio');
    if (profile === TEST_PROFILE) {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    await assertPortsFree([profile.minioPort, profile.minioConsolePort]);
    log(`starting MinIO on 127.0.0.1:${profile.minioPort}…`);
    const { startMinio } = require('./local-pool');
    started.push(
      await startMinio({
        binary,
        dataDir,
        host: '127.0.0.1',
        port: profile.minioPort,
        consolePort: profile.minioConsolePort,
        accessKey: secrets.minioAccessKey,
        secretKey: secrets.minioSecretKey,
        logFile: path.join(profile.stateDir, 'logs', 'minio.log'),
      }),
    );
    s3 = {
      S3_ENDPOINT: `http://127.0.0.1:${profile.minioPort}`,
      S3_ACCESS_KEY: secrets.minioAccessKey,
      S3_SECRET_KEY: secrets.minioSecretKey,
      S3_BUCKET: 'ucupdates',
    };
  }
  recordChildren(profile.stateDir, started);
  return { haproxy: programs.haproxy, databaseUrl, redisUrl, s3, secrets };
}

/** `npm test`'s Redis: in memory only, one database per suite (test/support/test-resources.js). */
async function startTestRedis(/** @type {string} */ binary, /** @type {string} */ stateDir) {
  log(`starting Redis for the tests on 127.0.0.1:${TEST_RESOURCES.redisPort}…`);
  const redis = new ManagedProcess({
    name: 'redis',
    command: binary,
    args: ['--bind', '127.0.0.1', '--port', String(TEST_RESOURCES.redisPort), '--save', '', '--appendonly', 'no',
      '--databases', String(TEST_RESOURCES.redisDatabases), '--maxmemory-policy', 'noeviction', '--dir', stateDir],
    logFile: path.join(stateDir, 'logs', 'redis.log'),
  }).start();
  await waitForPort('127.0.0.1', TEST_RESOURCES.redisPort);
  return redis;
}

async function startPool(/** @type {ReturnType<typeof startProfile>} */ profile, /** @type {Services} */ services, /** @type {ManagedProcess[]} */ started) {
  const ports = [profile.internalPort, profile.externalPort, profile.statsPort];
  for (let i = 1; i <= 3; i++) {
    ports.push(profile.nodeBasePort + i, profile.nodeBasePort + 100 + i);
  }
  await assertPortsFree(ports);
  const adminToken = process.env.UCU_BOOTSTRAP_ADMIN_TOKEN ?? services.secrets.adminToken;
  const env = {
    ...appEnvironment(),
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
    ...services.s3,
    UCU_BOOTSTRAP_ADMIN_TOKEN: adminToken,
  };
  log('creating the database and applying migrations…');
  await prerequisites.ensureDatabase(ROOT, services.databaseUrl);
  prerequisites.runMigrations(ROOT, env);

  const { LocalPool } = require('./local-pool');
  const pool = new LocalPool({
    root: ROOT,
    stateDir: profile.stateDir,
    nodes: 3,
    host: '127.0.0.1',
    internalPort: profile.internalPort,
    externalPort: profile.externalPort,
    statsPort: profile.statsPort,
    nodeBasePort: profile.nodeBasePort,
    haproxy: services.haproxy,
    env,
  });
  log('starting three nodes and HAProxy…');
  started.push(...pool.processes());
  await pool.start();
  recordChildren(profile.stateDir, started);
  const rows = [
    ['internal listener (phones inside, admin API)', pool.internalUrl],
    ['external listener (signed-in phones)', pool.externalUrl],
    ['HAProxy statistics', pool.statsUrl],
    ['object store', services.s3.S3_ENDPOINT],
    ['admin token', adminToken],
    ['logs', path.relative(ROOT, pool.logDir) + '/'],
  ];
  log('the pool is up:');
  for (const [what, value] of rows) {
    process.stdout.write(`    ${what.padEnd(46)} ${value}\n`);
  }
  process.stdout.write(`\n    try: curl -H "Authorization: Bearer ${adminToken}" ${pool.internalUrl}/api/v1/nodes\n`);
  process.stdout.write('    Ctrl-C stops everything this runner started.\n');
}

/**
 * Runs Jest over every suite (or what the arguments select), against this runner's services. Run
 * whole, the fuzz project runs in a Jest process of its own after the others: its coverage-guided
 * fuzzer reads V8's coverage of every script in the process after each input, so behind a few
 * hundred suites in one process (`--runInBand`) it managed 73 inputs in 20 s instead of thousands.
 */
async function runTests(/** @type {Profile} */ profile, /** @type {Services} */ services, /** @type {string[]} */ jestArgs) {
  await prerequisites.ensureDatabase(ROOT, services.databaseUrl);
  const env = {
    ...process.env,
    TZ: 'UTC',
    UCU_TEST_DATABASE_URL: services.databaseUrl,
    UCU_TEST_REDIS_URL: services.redisUrl,
    UCU_TEST_S3_ENDPOINT: services.s3.S3_ENDPOINT,
    UCU_TEST_S3_ACCESS_KEY: services.s3.S3_ACCESS_KEY,
    UCU_TEST_S3_SECRET_KEY: services.s3.S3_SECRET_KEY,
    UCU_TEST_HAPROXY: services.haproxy,
    UCU_TEST_STATE_DIR: profile.stateDir,
  };
  /** @type {string[]} */
  const projects = require(path.join(ROOT, 'jest.config.js')).projects.map((/** @type {{ displayName: string }} */ project) => project.displayName);
  const passes = jestArgs.includes('--selectProjects')
    ? [{ name: 'jest-results', args: jestArgs }]
    : [
        { name: 'jest-results', args: ['--selectProjects', ...projects.filter((name) => name !== 'fuzz'), ...jestArgs] },
        { name: 'jest-results-fuzz', args: ['--selectProjects', 'fuzz', ...jestArgs] },
      ];
  const jest = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
  const totals = { passed: 0, failed: 0, skipped: 0 };
  let code = 0;
  for (const pass of passes) {
    log(`running the test suites (jest ${pass.args.join(' ')})…`);
    const results = path.join(profile.stateDir, `${pass.name}.json`);
    fs.rmSync(results, { force: true });
    const exitCode = await new Promise((resolve) => {
      const child = spawn(process.execPath, [jest, '--runInBand', '--json', `--outputFile=${results}`, ...pass.args], {
        cwd: ROOT,
        env,
        stdio: 'inherit',
      });
      child.once('exit', (childCode) => resolve(childCode ?? 1));
    });
    if (code === 0) code = /** @type {number} */ (exitCode);
    if (fs.existsSync(results)) {
      const summary = JSON.parse(fs.readFileSync(results, 'utf8'));
      totals.passed += summary.numPassedTests;
      totals.failed += summary.numFailedTests;
      totals.skipped += summary.numPendingTests + summary.numTodoTests;
    }
  }
  // One closing line in the plain form CI tools read, whatever Jest printed before it.
  process.stdout.write(`jest: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
  return code;
}

/** The runner's own UCU_* settings go to the apps, but for what the pool sets per node. */
function appEnvironment() {
  const perNode = new Set(['UCU_NODE_ID', 'UCU_NODE_URL', 'UCU_REPLICA_DIR', 'UCU_LISTEN_HOST', 'UCU_INTERNAL_PORT', 'UCU_EXTERNAL_PORT']);
  /** @type {NodeJS.ProcessEnv} */
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, TZ: process.env.TZ ?? 'UTC' };
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('UCU_') && !perNode.has(name)) {
      env[name] = value;
    }
  }
  return env;
}

async function assertPortsFree(/** @type {number[]} */ ports) {
  for (const port of ports) {
    if (await portAnswers('127.0.0.1', port)) {
      throw new Error(`port ${port} on 127.0.0.1 is already in use by another program; free it and run again`);
    }
  }
}

function pick(/** @type {NodeJS.ProcessEnv} */ env, /** @type {string[]} */ names) {
  /** @type {Record<string, string>} */
  const picked = {};
  for (const name of names) {
    if (env[name] !== undefined) {
      picked[name] = /** @type {string} */ (env[name]);
    }
  }
  return picked;
}

main().catch((error) => {
  process.stderr.write(`[ucupdates] ${/** @type {Error} */ (error).message}\n`);
  process.exit(1);
});
