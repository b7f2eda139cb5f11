// @ts-check
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ManagedProcess, portAnswers, run, waitForPort, which } = require('./processes');

/**
 * What `npm start` and `npm test` set up on a fresh machine before anything runs. This file uses
 * Node's built-ins only, since it runs before the npm dependencies are installed.
 */

/** The MinIO server, built from source: its community edition ships no binaries any more. */
const MINIO_MODULE = 'github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c';
/**
 * SeaweedFS, the other S3 service the storage suites run against (docs/decisions.md). Its module
 * has a `replace` directive, so `go install` refuses it: ensureSeaweedfs builds it in a copy.
 */
const SEAWEEDFS_MODULE = 'github.com/seaweedfs/seaweedfs@v0.0.0-20261109003541-7506e5f91cd6';
/** Helm, for the chart's offline checks. */
const HELM_MODULE = 'helm.sh/helm/v4/cmd/helm@v4.3.2';

/** @typedef {(line: string) => void} Log */

/** `npm ci` when node_modules is missing or older than package-lock.json. */
function ensureNpmDependencies(/** @type {string} */ root, /** @type {Log} */ log) {
  const lock = path.join(root, 'package-lock.json');
  const installed = path.join(root, 'node_modules', '.package-lock.json');
  if (fs.existsSync(installed) && fs.statSync(installed).mtimeMs >= fs.statSync(lock).mtimeMs) {
    return;
  }
  log('installing npm dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root });
}

/** Builds the apps when any source is newer than the last build. */
function ensureBuild(/** @type {string} */ root, /** @type {Log} */ log) {
  const stamp = path.join(root, 'dist', '.build-stamp');
  const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
  const sources = ['apps', 'libs', 'tsconfig.json', 'nest-cli.json', 'package-lock.json'].map((p) => path.join(root, p));
  if (built > 0 && newestChange(sources) <= built) {
    return;
  }
  log('building the apps (nest build)…');
  run('npm', ['run', '--silent', 'build'], { cwd: root });
  fs.writeFileSync(stamp, new Date().toISOString());
}

function newestChange(/** @type {string[]} */ paths) {
  let newest = 0;
  for (const entry of paths) {
    if (!fs.existsSync(entry)) {
      continue;
    }
    const stat = fs.statSync(entry);
    newest = Math.max(newest, stat.mtimeMs);
    if (stat.isDirectory()) {
      newest = Math.max(newest, newestChange(fs.readdirSync(entry).map((name) => path.join(entry, name))));
    }
  }
  return newest;
}

/** The `minio` binary: on PATH, in Go's bin directory, or installed there with `go install`. */
function ensureMinio(/** @type {Log} */ log) {
  return ensureGoProgram(log, { name: 'minio', module: MINIO_MODULE, minutes: 5, missing: 'or set S3_ENDPOINT to an S3 service' });
}

/** Helm, for the chart's checks (test/integration/helm-chart.int-spec.ts; docs/kubernetes.md). */
function ensureHelm(/** @type {Log} */ log) {
  return ensureGoProgram(log, { name: 'helm', module: HELM_MODULE, minutes: 7 });
}

/**
 * The `weed` binary of SeaweedFS: on PATH, in Go's bin directory, or built there once from the
 * pinned module's own source (`go mod download`, then `go build ./weed` in a writable copy: its
 * go.mod has a `replace`, which `go install` refuses). About 14 minutes on 2 cores.
 */
function ensureSeaweedfs(/** @type {Log} */ log) {
  const onPath = which('weed');
  if (onPath) {
    return onPath;
  }
  const go = goCommand();
  if (!go) {
    throw new Error('no weed binary and no Go to build one: install Go');
  }
  const built = path.join(goBinDir(go), 'weed');
  if (fs.existsSync(built)) {
    return built;
  }
  log(`building SeaweedFS's weed from ${SEAWEEDFS_MODULE} (about 14 minutes on 2 cores, once)…`);
  const { Dir: source } = JSON.parse(execFileSync(go, ['mod', 'download', '-json', SEAWEEDFS_MODULE], { encoding: 'utf8' }));
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'ucupdates-seaweedfs-'));
  try {
    fs.cpSync(source, copy, { recursive: true });
    run('chmod', ['-R', 'u+w', copy]);
    fs.mkdirSync(path.dirname(built), { recursive: true });
    runGo(go, ['build', '-o', `${built}.partial`, './weed'], { cwd: copy });
    fs.renameSync(`${built}.partial`, built);
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
  return built;
}

/**
 * A program from the Go module proxy: on PATH, in Go's bin directory (the cache every checkout on
 * the machine shares), or installed there once with `go install` at a pinned version.
 *
 * @param {Log} log
 * @param {{ name: string, module: string, minutes: number, missing?: string }} program
 */
function ensureGoProgram(log, { name, module, minutes, missing }) {
  const onPath = which(name);
  if (onPath) {
    return onPath;
  }
  const go = goCommand();
  const built = path.join(go ? goBinDir(go) : path.join(os.homedir(), 'go', 'bin'), name);
  if (fs.existsSync(built)) {
    return built;
  }
  if (!go) {
    throw new Error(`no ${name} binary and no Go to build one: install Go${missing ? `, ${missing}` : ''}`);
  }
  log(`installing ${name}: go install ${module} (about ${minutes} minutes on 2 cores, once)…`);
  runGo(go, ['install', module]);
  return built;
}

/**
 * Builds the Go command in a directory of this repository (tools/…) into `output`. Go's build
 * cache makes every build after the first a matter of seconds.
 */
function buildGoCommand(/** @type {Log} */ log, /** @type {string} */ dir, /** @type {string} */ output) {
  const go = goCommand();
  if (!go) {
    throw new Error(`Go is needed to build ${dir}: install Go`);
  }
  log(`building ${path.basename(dir)} (go build)…`);
  runGo(go, ['build', '-o', output, '.'], { cwd: dir });
  return output;
}

function goCommand() {
  return which('go') ?? (fs.existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null);
}

/** Go builds run at the lowest CPU priority: the machine goes on serving while they compile. */
function runGo(/** @type {string} */ go, /** @type {string[]} */ args, { cwd = undefined } = /** @type {{cwd?: string}} */ ({})) {
  const nice = which('nice');
  if (nice) {
    run(nice, ['-n', '19', go, ...args], { cwd });
  } else {
    run(go, args, { cwd });
  }
}

function goBinDir(/** @type {string} */ go) {
  const gobin = execFileSync(go, ['env', 'GOBIN'], { encoding: 'utf8' }).trim();
  return gobin || path.join(execFileSync(go, ['env', 'GOPATH'], { encoding: 'utf8' }).trim(), 'bin');
}

/**
 * Programs from the machine's Debian packages, installed when missing: HAProxy for the pool,
 * and for the tests gcab and cabextract (the reference the cab reader is checked against),
 * Chromium (the control panel's browser tests; no browser can be downloaded, Debian's is used),
 * slapd, and swupdate and cpio (the DDI client the tests run, and its images' packer).
 * Returns each program's path.
 *
 * @param {Record<string, string>} programs  program name -> Debian package
 * @param {Log} log
 * @returns {Record<string, string>}
 */
function ensureDebianPrograms(programs, log) {
  const find = (/** @type {string} */ name) =>
    which(name) ?? ['/usr/sbin', '/usr/bin'].map((dir) => path.join(dir, name)).find((p) => fs.existsSync(p)) ?? null;
  const missing = Object.keys(programs).filter((name) => !find(name));
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((name) => programs[name]))];
    if (!which('apt-get') || process.getuid?.() !== 0) {
      throw new Error(`missing programs: ${missing.join(', ')}; install the packages ${packages.join(' ')} and run again`);
    }
    log(`installing ${packages.join(', ')} (apt-get)…`);
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', ...packages], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  /** @type {Record<string, string>} */
  const paths = {};
  for (const name of Object.keys(programs)) {
    const found = find(name);
    if (!found) {
      throw new Error(`${name} is still missing after installing ${programs[name]}`);
    }
    paths[name] = found;
  }
  return paths;
}

/** Starts the machine's Postgres clusters when none answers at the URL and pg_ctlcluster exists. */
async function ensurePostgres(/** @type {string} */ databaseUrl, /** @type {Log} */ log) {
  const url = new URL(databaseUrl);
  const host = url.hostname || '127.0.0.1';
  const port = Number(url.port || 5432);
  if (await portAnswers(host, port)) {
    return;
  }
  const pgctl = which('pg_ctlcluster') ?? (fs.existsSync('/usr/bin/pg_ctlcluster') ? '/usr/bin/pg_ctlcluster' : null);
  if (!pgctl || !fs.existsSync('/etc/postgresql')) {
    throw new Error(`Postgres does not answer on ${host}:${port} and there is none here to start: set DATABASE_URL`);
  }
  for (const version of fs.readdirSync('/etc/postgresql')) {
    log(`starting Postgres ${version} (pg_ctlcluster)…`);
    run(pgctl, ['--skip-systemctl-redirect', version, 'main', 'start'], { quiet: true });
  }
  await waitForPort(host, port);
}

/**
 * Starts a Redis for the pool when none answers at the URL and redis-server exists: AOF on and
 * noeviction, as BullMQ needs. Returns the process it started (to stop with the pool), or null.
 */
async function ensureRedis(/** @type {string} */ redisUrl, /** @type {string} */ stateDir, /** @type {Log} */ log) {
  if (/^rediss?\+sentinel:/i.test(redisUrl)) {
    return null; // Sentinels: Redis is run by whoever runs them
  }
  const url = new URL(redisUrl);
  const host = url.hostname || '127.0.0.1';
  const port = Number(url.port || 6379);
  if (await portAnswers(host, port)) {
    return null;
  }
  const server = which('redis-server');
  if (!server) {
    throw new Error(`Redis does not answer on ${host}:${port} and there is no redis-server here: set REDIS_URL`);
  }
  const dir = path.join(stateDir, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  log(`starting Redis on ${host}:${port} (data in ${dir})…`);
  const redis = new ManagedProcess({
    name: 'redis',
    command: server,
    args: ['--bind', host, '--port', String(port), '--dir', dir, '--appendonly', 'yes', '--maxmemory-policy', 'noeviction'],
    logFile: path.join(stateDir, 'logs', 'redis.log'),
  }).start();
  await waitForPort(host, port);
  return redis;
}

/** Creates the database named in the URL when it does not exist (needs the npm dependencies). */
async function ensureDatabase(/** @type {string} */ root, /** @type {string} */ databaseUrl, { recreate = false } = {}) {
  const { Client } = require(path.join(root, 'node_modules', 'pg'));
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    throw new Error(`database name "${name}" in DATABASE_URL: use letters, digits and _ only`);
  }
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    if (recreate) {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE "${name}"`);
    }
  } finally {
    await client.end();
  }
}

/** Applies the migrations and creates the bucket: the one-shot step before the apps start. */
function runMigrations(/** @type {string} */ root, /** @type {NodeJS.ProcessEnv} */ env) {
  run(process.execPath, [path.join(root, 'dist/apps/worker/apps/worker/src/migrate.js')], { cwd: root, env, quiet: true });
}

module.exports = {
  HELM_MODULE,
  MINIO_MODULE,
  SEAWEEDFS_MODULE,
  buildGoCommand,
  ensureBuild,
  ensureDatabase,
  ensureDebianPrograms,
  ensureHelm,
  ensureMinio,
  ensureNpmDependencies,
  ensurePostgres,
  ensureRedis,
  ensureSeaweedfs,
  runMigrations,
};
