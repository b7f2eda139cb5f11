import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { LocalPool } from '../../tools/local-pool/local-pool';
import { runMigrations } from '../../tools/local-pool/prerequisites';
import { buildPackage, type TestUpdate } from '../support/package-builder';
import { createPoolPki, type PoolPki } from '../support/test-pki';
import { PrivatePostgres } from '../support/private-postgres';
import { privateObjectStore } from '../support/private-object-store';
import { PrivateRedis } from '../support/private-redis';
import { PrivateSentinels } from '../support/private-sentinels';
import { download } from '../support/digests';
import { AdminClient } from '../support/admin-client';
import { call, PhoneLoad } from '../support/phone-load';
import { catalogueFiles, holdsEveryFile, wrongReplicas } from '../support/replica-files';
import { ROOT, suiteResources, testServices } from '../support/test-environment';
import { sleep, waitFor } from '../support/waiting';

const suite = suiteResources(__filename);

/**
 * Faults injected on the real pool (docs/reliability.md, fault matrix): three nodes behind HAProxy on a Postgres, a Redis
 * and an S3 service (MinIO, or SeaweedFS) of this suite's own, so each can be stopped under load. Every scenario ends by
 * checking that nothing was lost: no phone-visible error, never a wrong version, every answered
 * check audited, every replica complete and verified. `npm run test:faults` runs it with 30-second
 * outages; `npm test` with short ones (UCU_FAULT_OUTAGE_SECONDS).
 */
const OUTAGE_MS = Number(process.env.UCU_FAULT_OUTAGE_SECONDS ?? 5) * 1000;
const TOKEN = 'e2e-faults-token-0123456789';
/** Its own servers above the pool's ports in the suite's block (test/support/test-resources.js). */
const SERVER_PORTS = {
  postgres: suite.port(190),
  redis: suite.port(191),
  /** MinIO takes the first two, SeaweedFS all four. */
  s3: [suite.port(192), suite.port(193), suite.port(180), suite.port(181)],
  /** A primary, a replica and three Sentinels on 194-198; 199 and 189 for a frontend that must not start. */
  sentinels: suite.port(194),
  probe: [suite.port(199), suite.port(189)],
};
const NODES = ['node-1', 'node-2', 'node-3'];
const SMALL_DISK_MB = 48;


describe('faults on the real pool', () => {
  const stateDir = join(testServices.stateDir, 'e2e-faults');
  const postgres = new PrivatePostgres('faults-postgres', SERVER_PORTS.postgres);
  const redis = new PrivateRedis(join(stateDir, 'redis'), SERVER_PORTS.redis);
  const sentinels = new PrivateSentinels(join(stateDir, 'sentinels'), SERVER_PORTS.sentinels);
  // MinIO, or SeaweedFS with UCU_TEST_S3_SERVICE=seaweedfs (npm run test:seaweedfs).
  const store = privateObjectStore(join(stateDir, 's3'), [SERVER_PORTS.s3[0], SERVER_PORTS.s3[1], SERVER_PORTS.s3[2], SERVER_PORTS.s3[3]]);
  const storeName = store.service === 'minio' ? 'MinIO' : 'SeaweedFS';
  let pool: LocalPool;
  let pki: PoolPki;
  const api = new AdminClient(() => pool.internalUrl, TOKEN, () => ({ dir: stateDir, pki }));
  let db: Client;
  /** What a phone on CPE 1.0 must be offered: the approved versions. */
  let expected: Map<string, string>;
  /** What each scenario saw, for docs/reliability.md's fault matrix. */
  const matrix: { fault: string; checks: number; downloads: number; phoneErrors: number; wrongVersions: number; audited: number }[] = [];
  const smallDisk = () => join(stateDir, 'pool', 'node-3', 'replica');

  beforeAll(async () => {
    await tearDownMount(smallDisk());
    rmSync(stateDir, { recursive: true, force: true });
    mkdirSync(stateDir, { recursive: true });
    postgres.init();
    postgres.createDatabase('ucupdates');
    await redis.start();
    await store.start();
    // Node 3's replica store is a small disk of its own, for the disk-full scenario.
    mkdirSync(smallDisk(), { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${SMALL_DISK_MB}m`, 'tmpfs', smallDisk()]);
    pki = createPoolPki(join(stateDir, 'pki'));
    const env = {
      PATH: process.env.PATH,
      TZ: 'UTC',
      DATABASE_URL: postgres.urlOf('ucupdates'),
      REDIS_URL: redis.url(),
      ...store.s3,
      S3_BUCKET: 'ucupdates-faults',
      UCU_BOOTSTRAP_ADMIN_TOKEN: TOKEN,
      UCU_HEARTBEAT_INTERVAL_MS: '500',
      UCU_NODE_DOWN_AFTER_MS: '2000',
      UCU_SHUTDOWN_TIMEOUT_MS: '5000',
      UCU_JOB_LOCK_DURATION_MS: '3000',
      UCU_CACHE_REFRESH_INTERVAL_MS: '3000',
      UCU_TRUSTED_CA_FILE: pki.caFile,
    };
    runMigrations(ROOT, env);
    db = new Client({ connectionString: postgres.urlOf('ucupdates') });
    await db.connect();
    pool = new LocalPool({
      root: ROOT,
      stateDir: join(stateDir, 'pool'),
      nodes: 3,
      host: '127.0.0.1',
      ...suite.pool,
      haproxy: testServices.haproxy,
      env,
    });
    await pool.start();

    // The catalogue the phones are checked against: imported, replicated everywhere, approved.
    const imported = await importPackage('initial', [
      { folder: 'CPE', version: '4.0.7577.4372', image: randomBytes(2_000_000) },
      { folder: 'UCM', updateType: 'UCM', version: '1.2.3', image: randomBytes(300_000) },
    ]);
    await everyNodeHoldsEveryFile();
    for (const update of imported.updates) {
      expect((await admin('POST', `/api/v1/rules/${update.ruleId}/approve`)).status).toBe(200);
    }
    expected = new Map(imported.updates.map((update) => [update.updateType, update.version]));
    // Every node hears of the approvals within a second; the scenarios start once all agree.
    await waitFor('every node to hold the approvals', 10_000, async () => new Set(await cacheDigests()).size === 1);
  }, 240_000);

  afterAll(async () => {
    if (matrix.length > 0) {
      writeFileSync(join(testServices.stateDir, 'fault-results.json'), `${JSON.stringify({ outageSeconds: OUTAGE_MS / 1000, matrix }, null, 2)}\n`);
      console.log(
        `fault matrix (outages of ${OUTAGE_MS / 1000} s)\n` +
          matrix.map((row) => `  ${row.fault}: ${row.checks} checks, ${row.downloads} downloads, ${row.phoneErrors} phone-visible errors, ${row.wrongVersions} wrong versions, ${row.audited}/${row.checks} audited`).join('\n'),
      );
    }
    await pool?.stop();
    await db?.end().catch(() => undefined);
    await store.stop();
    await redis.stop();
    await sentinels.stop();
    postgres.remove();
    await tearDownMount(smallDisk());
  }, 60_000);

  // --- the scenarios -----------------------------------------------------------------------------

  it("SIGKILL of a frontend under load: HAProxy retries, no phone sees an error; the node's worker ships its journal", async () => {
    const load = new PhoneLoad(pool.internalUrl, expected);
    load.start();
    await sleep(1_000);
    await pool.frontends[1].kill();
    const journal = join(stateDir, 'pool', NODES[1], 'audit-journal');
    let restarted = false;
    try {
      await sleep(Math.max(3_000, OUTAGE_MS / 2));
      await load.stop();
      // The killed node's last rows are durable in its journal; its worker finds the frontend's
      // heartbeat silent for a second and ships them itself (decision 74), without a restart.
      const stopped = Date.now();
      await waitFor('every answered check audited while the killed frontend is still down', 5_000, async () => {
        const rows = await db.query(`SELECT count(*)::int AS n FROM request_audit WHERE request_id = ANY($1::uuid[])`, [load.answered]);
        return rows.rows[0].n === load.answered.length;
      });
      console.log(`frontend SIGKILL: all ${load.answered.length} answered checks in Postgres ${Date.now() - stopped} ms after the load stopped, the frontend still down`);
      // Nothing left for the frontend's next start: it ships nothing twice.
      await waitFor('the worker to remove what it shipped', 5_000, () => journalFiles(journal).length === 0);
      pool.startFrontend(1);
      restarted = true;
      await pool.waitForNode(1);
      await expectNothingLost('frontend SIGKILL under load', load);
    } finally {
      if (!restarted) {
        pool.startFrontend(1);
        await pool.waitForNode(1);
      }
    }
  }, 120_000);

  it('Postgres stopped under load: right answers from memory, audit rows kept and written after; admin changes 503, then fine', async () => {
    const load = new PhoneLoad(pool.internalUrl, expected);
    load.start();
    await sleep(1_000);
    await db.end();
    postgres.stop('fast');
    const during = await admin('POST', '/api/v1/test-devices', { scope: 'global', name: 'pg-down', identifierType: 'MACAddress', identifier: '00-04-F2-FA-00-01' });
    expect(during.status).toBe(503);
    await sleep(OUTAGE_MS);
    postgres.start();
    db = new Client({ connectionString: postgres.urlOf('ucupdates') });
    await db.connect();
    await sleep(1_000);
    await load.stop();
    await expectNothingLost('Postgres stopped under load', load);
    const after = await admin('POST', '/api/v1/test-devices', { scope: 'global', name: 'pg-back', identifierType: 'MACAddress', identifier: '00-04-F2-FA-00-02' });
    expect(after.status).toBe(201);
  }, 180_000);

  it('Redis stopped under load: checks and downloads go on, queued work resumes, caches catch up', async () => {
    // Work queued just before the outage: an import (and the replication it fans out).
    const queued = startImport('during-redis-outage', [{ folder: 'RQ', updateType: 'RQ', version: '2.0.1', image: randomBytes(3_000_000) }]);
    const importId = await queued;
    const digests = await cacheDigests();
    const load = new PhoneLoad(pool.internalUrl, expected);
    load.start();
    await redis.stop();
    // An admin change commits while Redis is away; its announcement is what is lost.
    const during = await admin('POST', '/api/v1/test-devices', { scope: 'global', name: 'redis-down', identifierType: 'MACAddress', identifier: '00-04-F2-FB-00-01' });
    expect(during.status).toBe(201);
    await sleep(OUTAGE_MS);
    await redis.start();
    await load.stop();
    await expectNothingLost('Redis stopped under load', load);
    await waitFor('the import queued before the outage', 120_000, async () => {
      const view = JSON.parse((await admin('GET', `/api/v1/imports/${importId}`)).body) as { status: string };
      expect(view.status).not.toBe('failed');
      return view.status === 'succeeded';
    });
    await everyNodeHoldsEveryFile();
    // Every node's memory has the change made during the outage (periodic reload, reconnect).
    await waitFor('every node to hold the same, new state', 30_000, async () => {
      const now = await cacheDigests();
      return new Set(now).size === 1 && now[0] !== digests[0];
    });
  }, 240_000);

  it(`${storeName} stopped: downloads from replica stores go on; an upload fails cleanly and succeeds when sent again`, async () => {
    const load = new PhoneLoad(pool.internalUrl, expected, { downloadEvery: 2 });
    load.start();
    await store.stop();
    const cab = buildPackage(join(stateDir, 'minio-down'), pki, [{ folder: 'MD', updateType: 'MD', version: '3.0.1', image: randomBytes(500_000) }]);
    const refused = await admin('POST', '/api/v1/updates', cab, { 'Content-Type': 'application/vnd.ms-cab-compressed' });
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body).error.code).toBe('ServiceUnavailable');
    await sleep(OUTAGE_MS);
    await store.start();
    await load.stop();
    expect(load.downloads).toBeGreaterThan(0);
    await expectNothingLost(`${storeName} stopped under load`, load);
    const accepted = await admin('POST', '/api/v1/updates', cab, { 'Content-Type': 'application/vnd.ms-cab-compressed' });
    expect(accepted.status).toBe(202);
    await waitForImport(JSON.parse(accepted.body).importId);
    await everyNodeHoldsEveryFile();
  }, 240_000);

  it('SIGKILL of a worker mid-import: the import completes, once, with its audit row', async () => {
    await pool.workers[1].stop();
    await pool.workers[2].stop();
    const importId = await startImport('killed-import', [{ folder: 'KI', updateType: 'KI', version: '5.0.1', image: randomBytes(20_000_000) }]);
    await waitFor('node 1 to start importing', 60_000, async () => {
      const view = JSON.parse((await admin('GET', `/api/v1/imports/${importId}`)).body) as { status: string };
      return view.status === 'processing';
    }, 20);
    await pool.workers[0].kill();
    [0, 1, 2].forEach((index) => pool.startWorker(index));
    await waitForImport(importId);
    const audit = await db.query(`SELECT count(*)::int AS n FROM admin_audit WHERE action = 'rule.import' AND after::text LIKE '%5.0.1%'`);
    expect(audit.rows[0].n).toBe(1);
    await everyNodeHoldsEveryFile();
  }, 240_000);

  it("a node's disk full while replicating: the job fails and retries, nothing half-written is served, it completes once there is room", async () => {
    const image = randomBytes(40 * 1024 * 1024);
    const sha = createHash('sha256').update(image).digest('hex');
    const importId = await startImport('disk-full', [{ folder: 'DF', updateType: 'DF', version: '6.0.1', image }]);
    await waitForImport(importId);
    await waitFor('a failed attempt on node 3', 120_000, async () => {
      const rows = await db.query(`SELECT attempts, last_error FROM replicas WHERE node_id = 'node-3' AND sha256 = $1`, [sha]);
      return rows.rows[0]?.attempts > 0 ? rows.rows[0] : null;
    });
    const target = join(smallDisk(), sha.slice(0, 2), sha);
    expect(existsSync(target)).toBe(false);
    // Node 3 still serves the file, whole (from the object store), never a partial copy.
    const served = await download(`${pool.nodeUrl(2)}/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/6.0.1/DF/DF.nbt`);
    expect(served).toEqual({ status: 200, size: image.length, sha256: sha });
    // Room again: the next retry completes the replica.
    execFileSync('mount', ['-o', 'remount,size=256m', smallDisk()]);
    await everyNodeHoldsEveryFile(180_000);
    expect(readdirSync(join(smallDisk(), sha.slice(0, 2))).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
  }, 300_000);

  // Last, as it moves the pool onto Redis behind Sentinels for good (decision 48).
  it('Redis primary killed under Sentinel, under load, during an import and a replication: a replica takes over, nothing lost, workers resume within 60 s', async () => {
    // Node 3's small disk must hold both packages: grown as the disk-full scenario leaves it, also
    // when this scenario runs alone (-t).
    execFileSync('mount', ['-o', 'remount,size=256m', smallDisk()]);
    await sentinels.start();
    // A mistake in REDIS_URL stops a process with 78 naming it; Sentinels that answer are needed for neither.
    for (const url of [sentinels.url().replace(`/${sentinels.primaryName}/`, '/no-such-primary/'), 'redis+sentinel://no-such-host.invalid:26379/ucupdates/0']) {
      const { code, output } = await startOnce('frontend', { REDIS_URL: url });
      expect({ url, code, names: output.includes('REDIS_URL') }).toEqual({ url, code: 78, names: true });
    }
    await pool.restartApps({ REDIS_URL: sentinels.url() });
    let failoverImport = '';
    await waitFor('every node to hold the approvals', 10_000, async () => new Set(await cacheDigests()).size === 1);

    const load = new PhoneLoad(pool.internalUrl, expected);
    load.start();
    // A replication under way: node 3's worker paused, so its copies of a new package wait in its
    // queue while the others are made; and an import being processed by another worker.
    const paused = pool.workers[2].pid!;
    process.kill(paused, 'SIGSTOP');
    let promotedAfterMs: number;
    let killedAt: number;
    try {
      await importPackage('failover-replication', [{ folder: 'FR', updateType: 'FR', version: '8.0.1', image: randomBytes(30_000_000) }]);
      const importId = await startImport('failover-import', [{ folder: 'FI', updateType: 'FI', version: '8.0.2', image: randomBytes(20_000_000) }]);
      await waitFor('the import to be processing', 60_000, async () => {
        const view = JSON.parse((await admin('GET', `/api/v1/imports/${importId}`)).body) as { status: string };
        return view.status === 'processing';
      }, 20);
      failoverImport = importId;
      await sentinels.servers[0].stop('SIGKILL');
      killedAt = Date.now();
      await waitFor('the Sentinels to promote the replica', 30_000, async () => (await sentinels.primaryPort()) === sentinels.servers[1].port, 100);
      promotedAfterMs = Date.now() - killedAt;
    } finally {
      process.kill(paused, 'SIGCONT');
    }
    await sleep(Math.max(3_000, OUTAGE_MS / 2));
    await load.stop();
    await expectNothingLost('Redis primary killed under Sentinel', load);

    // The import completes, once; every replica, of both packages, is whole and verified.
    await waitForImport(failoverImport);
    const audit = await db.query(`SELECT count(*)::int AS n FROM admin_audit WHERE action = 'rule.import' AND after::text LIKE '%8.0.2%'`);
    expect(audit.rows[0].n).toBe(1);
    await everyNodeHoldsEveryFile();
    // Workers take new work within 60 s of the kill: an import after it is imported and on every node.
    await importPackage('after-failover', [{ folder: 'AF', updateType: 'AF', version: '8.0.3', image: randomBytes(500_000) }]);
    await everyNodeHoldsEveryFile(Math.max(1_000, 60_000 - (Date.now() - killedAt)));
    const resumedAfterMs = Date.now() - killedAt;
    expect(resumedAfterMs).toBeLessThan(60_000);
    // Every node hears the announcements on the new primary: a change is confirmed by all three.
    const change = await admin('POST', '/api/v1/test-devices', { scope: 'global', name: 'after-failover', identifierType: 'MACAddress', identifier: '00-04-F2-FC-00-01' });
    expect([change.status, change.headers['x-ucu-unconfirmed-nodes']]).toEqual([201, undefined]);
    console.log(
      `Sentinel failover: replica promoted ${promotedAfterMs} ms after the kill; new work imported and replicated everywhere ${resumedAfterMs} ms after it`,
    );
  }, 300_000);

  // --- helpers -------------------------------------------------------------------------------

  /** Starts one app of a node that is not in the pool and waits for it to exit (it must not start). */
  async function startOnce(app: 'frontend' | 'worker', overrides: Record<string, string>): Promise<{ code: number | null; output: string }> {
    const child = spawn(process.execPath, [join(ROOT, `dist/apps/${app}/apps/${app}/src/main.js`)], {
      env: {
        ...pool.settings.env,
        UCU_NODE_ID: 'not-in-the-pool',
        UCU_REPLICA_DIR: join(stateDir, 'not-in-the-pool'),
        UCU_LISTEN_HOST: '127.0.0.1',
        UCU_INTERNAL_PORT: String(SERVER_PORTS.probe[0]),
        UCU_EXTERNAL_PORT: String(SERVER_PORTS.probe[1]),
        ...overrides,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    clearTimeout(timer);
    return { code, output };
  }

  function admin(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    return api.request(method, path, body, headers);
  }

  function startImport(name: string, updates: TestUpdate[]): Promise<string> {
    return api.startImport(name, updates);
  }

  function waitForImport(importId: string) {
    return api.waitForImport(importId);
  }

  function importPackage(name: string, updates: TestUpdate[]) {
    return api.importPackage(name, updates);
  }

  async function cacheDigests(): Promise<string[]> {
    return Promise.all(
      NODES.map(async (_, index) => {
        const ready = await call(`${pool.nodeUrl(index)}/readyz`);
        return (JSON.parse(ready.body) as { checks: { cache: { digest: string } } }).checks.cache.digest;
      }),
    );
  }

  /** Every node holds every catalogued file, verified by SHA-256 on disk. */
  async function everyNodeHoldsEveryFile(timeoutMs = 120_000): Promise<void> {
    const files = await catalogueFiles(db);
    await waitFor('every node to hold every file', timeoutMs, async () => NODES.every((_, index) => holdsEveryFile(pool.replicaDir(index), files)));
    for (const [index] of NODES.entries()) {
      expect(await wrongReplicas(pool.replicaDir(index), files)).toEqual([]);
    }
  }

  /** No phone-visible error, never a wrong version, and every answered check audited. */
  async function expectNothingLost(fault: string, load: PhoneLoad): Promise<void> {
    let audited = 0;
    await waitFor('every answered check to be audited', 60_000, async () => {
      const rows = await db.query(`SELECT count(*)::int AS n FROM request_audit WHERE request_id = ANY($1::uuid[])`, [load.answered]);
      audited = rows.rows[0].n;
      return audited === load.answered.length;
    }).catch(() => undefined);
    matrix.push({ fault, checks: load.answered.length, downloads: load.downloads, phoneErrors: load.errors.length, wrongVersions: load.wrong.length, audited });
    expect({ errors: load.errors.slice(0, 5), wrong: load.wrong.slice(0, 5) }).toEqual({ errors: [], wrong: [] });
    expect(load.answered.length).toBeGreaterThan(20);
    expect(audited).toBe(load.answered.length);
  }
});

/** The segments a journal holds, the frontend's and those its worker took over. */
function journalFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => /^(segment|orphan)-.*\.jsonl$/.test(name));
}

async function tearDownMount(path: string): Promise<void> {
  try {
    execFileSync('mountpoint', ['-q', path]);
  } catch {
    return; // not mounted
  }
  execFileSync('umount', [path]);
}
