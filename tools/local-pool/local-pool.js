// @ts-check
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { renderHaproxyConfig } = require('./haproxy-config');
const { ManagedProcess, waitForHttp } = require('./processes');

/**
 * @typedef {Object} PoolSettings
 * @property {string} root          the repository (dist/ holds the built apps)
 * @property {string} stateDir      logs, replica stores and the HAProxy config go here
 * @property {number} nodes         how many frontend/worker pairs
 * @property {string} host          where everything binds (127.0.0.1)
 * @property {number} internalPort  the load balancer's internal listener
 * @property {number} externalPort  the load balancer's external listener
 * @property {number} statsPort     HAProxy's stats page
 * @property {number} nodeBasePort  node i (1-based) listens on base+i (internal) and base+100+i (external)
 * @property {string} haproxy       the haproxy binary
 * @property {NodeJS.ProcessEnv} env  the apps' environment: services, token, UCU_* settings
 */

/**
 * A pool on this machine: N nodes (a frontend and a worker each, with a replica directory)
 * behind HAProxy, against the Postgres, Redis and object store named in `env`. Every process can
 * be stopped, killed and started again on its own, as the fault tests need.
 */
class LocalPool {
  /** @param {PoolSettings} settings */
  constructor(settings) {
    this.settings = settings;
    this.logDir = path.join(settings.stateDir, 'logs');
    /** @type {ManagedProcess[]} */
    this.frontends = [];
    /** @type {ManagedProcess[]} */
    this.workers = [];
    this.nodeIds = Array.from({ length: settings.nodes }, (_, i) => `node-${i + 1}`);
    this.haproxy = new ManagedProcess({
      name: 'haproxy',
      command: settings.haproxy,
      // -db: stay in the foreground, so the pool supervises it like the nodes.
      args: ['-db', '-f', path.join(settings.stateDir, 'haproxy.cfg')],
      logFile: path.join(this.logDir, 'haproxy.log'),
    });
    for (let i = 0; i < settings.nodes; i++) {
      this.frontends.push(this.app('frontend', i));
      this.workers.push(this.app('worker', i));
    }
  }

  get internalUrl() {
    return `http://${this.settings.host}:${this.settings.internalPort}`;
  }

  get externalUrl() {
    return `http://${this.settings.host}:${this.settings.externalPort}`;
  }

  get statsUrl() {
    return `http://${this.settings.host}:${this.settings.statsPort}/`;
  }

  /** The internal URL of node `index` (0-based), bypassing the load balancer. */
  nodeUrl(/** @type {number} */ index) {
    return `http://${this.settings.host}:${this.settings.nodeBasePort + index + 1}`;
  }

  replicaDir(/** @type {number} */ index) {
    return path.join(this.settings.stateDir, this.nodeIds[index], 'replica');
  }

  /** Starts every node, waits until each is ready, then puts HAProxy in front. */
  async start() {
    fs.mkdirSync(this.logDir, { recursive: true });
    fs.writeFileSync(path.join(this.settings.stateDir, 'haproxy.cfg'), this.haproxyConfig());
    for (let i = 0; i < this.settings.nodes; i++) {
      this.startWorker(i);
      this.startFrontend(i);
    }
    await Promise.all(this.frontends.map((_, i) => this.waitForNode(i)));
    this.haproxy.start();
    await this.whileRunning(this.haproxy, waitForHttp(`${this.internalUrl}/readyz`, { timeoutMs: 30_000 }));
  }

  /** Waits for `promise`, failing at once, with the log's last lines, if `process` exits first. */
  async whileRunning(/** @type {ManagedProcess} */ child, /** @type {Promise<unknown>} */ promise) {
    const exited = /** @type {Promise<never>} */ (
      child.exited?.then((code) => {
        throw new Error(`${child.name} exited with code ${code}; last lines of ${child.spec.logFile}:\n${tail(child.spec.logFile, 20)}`);
      })
    );
    return Promise.race([promise, exited]);
  }

  /**
   * One more node (`node-<N+1>`), not started and not behind HAProxy (its configuration names the
   * nodes it was started with): a node that joins a running pool. Answers its index.
   */
  addNode() {
    const index = this.nodeIds.length;
    this.nodeIds.push(`node-${index + 1}`);
    this.frontends.push(this.app('frontend', index));
    this.workers.push(this.app('worker', index));
    return index;
  }

  startFrontend(/** @type {number} */ index) {
    return this.frontends[index].start();
  }

  startWorker(/** @type {number} */ index) {
    return this.workers[index].start();
  }

  /** Waits until node `index` answers /readyz itself (not through the load balancer). */
  async waitForNode(/** @type {number} */ index, timeoutMs = 60_000) {
    try {
      await this.whileRunning(this.frontends[index], waitForHttp(`${this.nodeUrl(index)}/readyz`, { timeoutMs }));
    } catch (error) {
      const log = path.join(this.logDir, `frontend-${index + 1}.log`);
      throw new Error(`${/** @type {Error} */ (error).message}\nlast lines of ${log}:\n${tail(log, 20)}`);
    }
  }

  /**
   * Stops every app gracefully and starts it again with `overrides` over its environment (another
   * REDIS_URL, say); HAProxy stays. Waits until every node is ready.
   */
  async restartApps(/** @type {NodeJS.ProcessEnv} */ overrides) {
    const apps = [...this.frontends, ...this.workers];
    await Promise.all(apps.map((app) => app.stop()));
    this.settings.env = { ...this.settings.env, ...overrides };
    for (const app of apps) {
      app.spec.env = { ...app.spec.env, ...overrides };
    }
    this.frontends.forEach((_, i) => {
      this.startWorker(i);
      this.startFrontend(i);
    });
    await Promise.all(this.frontends.map((_, i) => this.waitForNode(i)));
  }

  /** Stops HAProxy and every app (SIGTERM, so they finish their work and leave the pool). */
  async stop() {
    await this.haproxy.stop();
    await Promise.all([...this.frontends, ...this.workers].map((process) => process.stop()));
  }

  /** Every process of the pool, for the runner's bookkeeping. */
  processes() {
    return [this.haproxy, ...this.frontends, ...this.workers];
  }

  haproxyConfig() {
    const { host, internalPort, externalPort, statsPort, nodeBasePort } = this.settings;
    return renderHaproxyConfig({
      bindHost: host,
      internalPort,
      externalPort,
      statsPort,
      nodes: this.nodeIds.map((id, i) => ({
        id,
        host,
        internalPort: nodeBasePort + i + 1,
        externalPort: nodeBasePort + 100 + i + 1,
      })),
    });
  }

  /** @param {'frontend' | 'worker'} kind */
  app(kind, /** @type {number} */ index) {
    const { root, env, host, nodeBasePort } = this.settings;
    const replicaDir = this.replicaDir(index);
    fs.mkdirSync(replicaDir, { recursive: true });
    return new ManagedProcess({
      name: `${kind}-${index + 1}`,
      command: process.execPath,
      args: ['--enable-source-maps', path.join(root, `dist/apps/${kind}/apps/${kind}/src/main.js`)],
      cwd: root,
      env: {
        ...env,
        UCU_NODE_ID: this.nodeIds[index],
        UCU_NODE_URL: this.nodeUrl(index),
        UCU_REPLICA_DIR: replicaDir,
        UCU_AUDIT_JOURNAL_DIR: path.join(this.settings.stateDir, this.nodeIds[index], 'audit-journal'),
        UCU_LISTEN_HOST: host,
        UCU_INTERNAL_PORT: String(nodeBasePort + index + 1),
        UCU_EXTERNAL_PORT: String(nodeBasePort + 100 + index + 1),
      },
      logFile: path.join(this.logDir, `${kind}-${index + 1}.log`),
    });
  }
}

/**
 * @param {{ binary: string, dataDir: string, host: string, port: number, consolePort: number,
 *           accessKey: string, secretKey: string, logFile: string }} settings
 */
async function startMinio(settings) {
  fs.mkdirSync(settings.dataDir, { recursive: true });
  const minio = new ManagedProcess({
    name: 'minio',
    command: settings.binary,
    args: [
      'server',
      settings.dataDir,
      '--address',
      `${settings.host}:${settings.port}`,
      '--console-address',
      `${settings.host}:${settings.consolePort}`,
    ],
    env: {
      ...process.env,
      MINIO_ROOT_USER: settings.accessKey,
      MINIO_ROOT_PASSWORD: settings.secretKey,
      MINIO_BROWSER: 'on',
      MINIO_UPDATE: 'off',
    },
    logFile: settings.logFile,
  }).start();
  try {
    await waitForHttp(`http://${settings.host}:${settings.port}/minio/health/live`, { timeoutMs: 60_000 });
  } catch (error) {
    await minio.kill();
    throw new Error(`${/** @type {Error} */ (error).message}\nlast lines of ${settings.logFile}:\n${tail(settings.logFile, 20)}`);
  }
  return minio;
}

/**
 * SeaweedFS as one S3 service: `weed server -s3` (master, volume server, filer and S3 gateway in
 * one process) on `port`, its other listeners on the ports given (each gRPC listener on its HTTP
 * port + 10000, SeaweedFS's rule), with one identity holding the access and secret key.
 *
 * @param {{ binary: string, dataDir: string, host: string, port: number, masterPort: number, volumePort: number,
 *           filerPort: number, accessKey: string, secretKey: string, logFile: string }} settings
 */
async function startSeaweedfs(settings) {
  fs.mkdirSync(settings.dataDir, { recursive: true });
  const s3Config = path.join(settings.dataDir, 's3.json');
  const identity = { name: 'ucupdates', credentials: [{ accessKey: settings.accessKey, secretKey: settings.secretKey }], actions: ['Admin', 'Read', 'List', 'Tagging', 'Write'] };
  fs.writeFileSync(s3Config, JSON.stringify({ identities: [identity] }), { mode: 0o600 });
  const weed = new ManagedProcess({
    name: 'seaweedfs',
    command: settings.binary,
    args: [
      'server',
      `-dir=${settings.dataDir}`,
      `-ip=${settings.host}`,
      `-ip.bind=${settings.host}`,
      `-master.port=${settings.masterPort}`,
      `-volume.port=${settings.volumePort}`,
      `-filer.port=${settings.filerPort}`,
      '-s3',
      `-s3.port=${settings.port}`,
      `-s3.config=${s3Config}`,
      '-s3.port.iceberg=0',
      '-s3.port.lance=0',
      // Small volumes: a test store holds megabytes, and the default (30 GB) preallocates nothing but sizes plans.
      '-master.volumeSizeLimitMB=1024',
      '-volume.max=0',
    ],
    logFile: settings.logFile,
  }).start();
  try {
    await waitForHttp(`http://${settings.host}:${settings.port}/healthz`, { timeoutMs: 90_000 });
  } catch (error) {
    await weed.kill();
    throw new Error(`${/** @type {Error} */ (error).message}\nlast lines of ${settings.logFile}:\n${tail(settings.logFile, 20)}`);
  }
  return weed;
}

function tail(/** @type {string} */ file, /** @type {number} */ lines) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

module.exports = { LocalPool, startMinio, startSeaweedfs };
