import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { Client } from 'pg';
import { LocalPool, startMinio } from '../../tools/local-pool/local-pool';
import { ensureMinio, runMigrations } from '../../tools/local-pool/prerequisites';
import type { ManagedProcess } from '../../tools/local-pool/processes';
import { buildPackage, type TestUpdate } from '../support/package-builder';
import { createPoolPki, type PoolPki } from '../support/test-pki';
import { PrivatePostgres } from '../support/private-postgres';
import { PrivateRedis } from '../support/private-redis';
import { download, sha256OfFile } from '../support/digests';
import { ROOT, suiteResources, testServices } from '../support/test-environment';
import { sleep, waitFor } from '../support/waiting';

const suite = suiteResources(__filename);

/**
 * Faults injected on the real pool (docs/reliability.md, fault matrix): three nodes behind HAProxy on a Postgres, a Redis
 * and a MinIO of this suite's own, so each can be stopped under load. Every scenario ends by
 * checking that nothing was lost: no phone-visible error, never a wrong version, every answered
 * check audited, every replica complete and verified. `npm run test:faults` runs it with 30-second
 * outages; `npm test` with short ones (UCU_FAULT_OUTAGE_SECONDS).
 */
const OUTAGE_MS = Number(process.env.UCU_FAULT_OUTAGE_SECONDS ?? 5) * 1000;
const TOKEN = 'e2e-faults-token-0123456789';
/** Its own servers above the pool's ports in the suite's block (test/support/test-resources.js). */
const SERVER_PORTS = { postgres: suite.port(190), redis: suite.port(191), minio: suite.port(192), minioConsole: suite.port(193) };
const NODES = ['node-1', 'node-2', 'node-3'];
const SMALL_DISK_MB = 48;

interface Offered {
  updateType: string;
  version: string;
  files: { name: string; url: string; size: number; sha256: string }[];
}

describe('faults on the real pool', () => {
  const stateDir = join(testServices.stateDir, 'e2e-faults');
  const postgres = new PrivatePostgres('faults-postgres', SERVER_PORTS.postgres);
  const redis = new PrivateRedis(join(stateDir, 'redis'), SERVER_PORTS.redis);
  const minioSettings = {
    binary: '',
    dataDir: join(stateDir, 'minio'),
    host: '127.0.0.1',
    port: SERVER_PORTS.minio,
    consolePort: SERVER_PORTS.minioConsole,
    accessKey: 'faultsminio',
    secretKey: 'faultsminio-secret',
    logFile: join(stateDir, 'minio.log'),
  };
  let minio: ManagedProcess;
  let pool: LocalPool;
  let pki: PoolPki;
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
    minioSettings.binary = ensureMinio(() => undefined);
    minio = await startMinio(minioSettings);
    // Node 3's replica store is a small disk of its own, for the disk-full scenario.
    mkdirSync(smallDisk(), { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${SMALL_DISK_MB}m`, 'tmpfs', smallDisk()]);
    pki = createPoolPki(join(stateDir, 'pki'));
    const env = {
      PATH: process.env.PATH,
      TZ: 'UTC',
      DATABASE_URL: postgres.urlOf('ucupdates'),
      REDIS_URL: redis.url(),
      S3_ENDPOINT: `http://127.0.0.1:${SERVER_PORTS.minio}`,
      S3_ACCESS_KEY: minioSettings.accessKey,
      S3_SECRET_KEY: minioSettings.secretKey,
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
    await minio?.stop();
    await redis.stop();
    postgres.remove();
    await tearDownMount(smallDisk());
  }, 60_000);

  // --- the scenarios -----------------------------------------------------------------------------

  it('SIGKILL of a frontend under load: HAProxy retries, no phone sees an error', async () => {
    const load = new PhoneLoad(pool.internalUrl, expected);
    load.start();
    await sleep(1_000);
    await pool.frontends[1].kill();
    try {
      await sleep(Math.max(3_000, OUTAGE_MS / 2));
      await load.stop();
      await expectNothingLost('frontend SIGKILL under load', load);
    } finally {
      pool.startFrontend(1);
      await pool.waitForNode(1);
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

  it('MinIO stopped: downloads from replica stores go on; an upload fails cleanly and succeeds when sent again', async () => {
    const load = new PhoneLoad(pool.internalUrl, expected, { downloadEvery: 2 });
    load.start();
    await minio.stop();
    const cab = buildPackage(join(stateDir, 'minio-down'), pki, [{ folder: 'MD', updateType: 'MD', version: '3.0.1', image: randomBytes(500_000) }]);
    const refused = await admin('POST', '/api/v1/updates', cab, { 'Content-Type': 'application/vnd.ms-cab-compressed' });
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body).error.code).toBe('ServiceUnavailable');
    await sleep(OUTAGE_MS);
    minio = await startMinio(minioSettings);
    await load.stop();
    expect(load.downloads).toBeGreaterThan(0);
    await expectNothingLost('MinIO stopped under load', load);
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
    // Node 3 still serves the file, whole (from MinIO), never a partial copy.
    const served = await download(`${pool.nodeUrl(2)}/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/6.0.1/DF/DF.nbt`);
    expect(served).toEqual({ status: 200, size: image.length, sha256: sha });
    // Room again: the next retry completes the replica.
    execFileSync('mount', ['-o', 'remount,size=256m', smallDisk()]);
    await everyNodeHoldsEveryFile(180_000);
    expect(readdirSync(join(smallDisk(), sha.slice(0, 2))).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
  }, 300_000);

  // --- helpers -------------------------------------------------------------------------------

  function admin(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const contentType: Record<string, string> = body === undefined || Buffer.isBuffer(body) ? {} : { 'Content-Type': 'application/json' };
    return call(`${pool.internalUrl}${path}`, { method, body: payload, headers: { Authorization: `Bearer ${TOKEN}`, ...contentType, ...headers } });
  }

  async function startImport(name: string, updates: TestUpdate[]): Promise<string> {
    const cab = buildPackage(join(stateDir, name), pki, updates);
    const uploaded = await admin('POST', '/api/v1/updates', cab, { 'Content-Type': 'application/vnd.ms-cab-compressed' });
    expect(uploaded.status).toBe(202);
    return (JSON.parse(uploaded.body) as { importId: string }).importId;
  }

  async function waitForImport(importId: string) {
    return waitFor(`import ${importId}`, 120_000, async () => {
      const view = JSON.parse((await admin('GET', `/api/v1/imports/${importId}`)).body) as {
        status: string;
        updates: { ruleId: string; updateType: string; version: string }[];
      };
      expect(view.status).not.toBe('failed');
      return view.status === 'succeeded' ? view : null;
    });
  }

  async function importPackage(name: string, updates: TestUpdate[]) {
    return waitForImport(await startImport(name, updates));
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
    const files = (await db.query(`SELECT DISTINCT f.sha256, fi.size::bigint AS size FROM update_version_files f JOIN files fi USING (sha256)`))
      .rows as { sha256: string; size: string }[];
    const pathOf = (index: number, sha256: string) => join(pool.replicaDir(index), sha256.slice(0, 2), sha256);
    await waitFor('every node to hold every file', timeoutMs, async () =>
      NODES.every((_, index) => files.every((file) => existsSync(pathOf(index, file.sha256)) && statSync(pathOf(index, file.sha256)).size === Number(file.size))),
    );
    for (const [index] of NODES.entries()) {
      for (const file of files) {
        expect(await sha256OfFile(pathOf(index, file.sha256))).toBe(file.sha256);
      }
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

/**
 * Phones checking through the load balancer, several at a time, and downloading now and then what
 * they are offered (verified by size and SHA-256). Records every answer and every failure.
 */
class PhoneLoad {
  readonly answered: string[] = [];
  readonly errors: string[] = [];
  readonly wrong: string[] = [];
  downloads = 0;
  private running = false;
  private lanes: Promise<void>[] = [];
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16 });
  private readonly parser = new XMLParser({ parseTagValue: false, isArray: (name) => ['Module', 'File'].includes(name) });

  constructor(
    private readonly baseUrl: string,
    private readonly expected: Map<string, string>,
    private readonly options: { downloadEvery?: number } = {},
  ) {}

  start(lanes = 6): void {
    this.running = true;
    this.lanes = Array.from({ length: lanes }, (_, lane) => this.lane(lane));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.lanes);
    this.agent.destroy();
  }

  private async lane(lane: number): Promise<void> {
    for (let n = 0; this.running; n++) {
      const requestId = randomUUID();
      const mac = `00-04-F2-${lane.toString(16).padStart(2, '0')}-${((n >> 8) & 0xff).toString(16).padStart(2, '0')}-${(n & 0xff).toString(16).padStart(2, '0')}`;
      try {
        const response = await call(`${this.baseUrl}/RequestHandler/ucdevice.upx`, {
          method: 'POST',
          agent: this.agent,
          headers: { 'Content-Type': 'text/xml', 'X-Request-Id': requestId },
          body: Buffer.from(updateCheck(mac)),
        });
        if (response.status !== 200) {
          this.errors.push(`check: HTTP ${response.status} ${response.body.slice(0, 120)}`);
          continue;
        }
        this.answered.push(requestId);
        const offered = this.offered(response.body);
        const versions = new Map(offered.map((module) => [module.updateType, module.version]));
        for (const [updateType, version] of this.expected) {
          if (versions.get(updateType) !== version) this.wrong.push(`${updateType}: offered ${versions.get(updateType)}, expected ${version}`);
        }
        if (n % (this.options.downloadEvery ?? 5) === 0) {
          const file = offered.flatMap((module) => module.files).sort((a, b) => a.size - b.size)[0];
          const got = await download(file.url, this.agent);
          if (got.status !== 200 || got.size !== file.size || got.sha256 !== file.sha256) {
            this.errors.push(`download ${file.name}: HTTP ${got.status}, ${got.size} bytes, ${got.sha256}`);
          } else {
            this.downloads++;
          }
        }
      } catch (error) {
        this.errors.push(`connection: ${(error as Error).message}`);
      }
    }
  }

  private offered(text: string): Offered[] {
    type Module = { UpdateType: string; Version: string; Files?: { File: { Name: string; Url: string; Size: string; Sha256: string }[] } };
    const { Response: answer } = this.parser.parse(text) as { Response: { Modules?: { Module: Module[] } } };
    return (answer.Modules?.Module ?? []).map((module) => ({
      updateType: module.UpdateType,
      version: module.Version,
      files: (module.Files?.File ?? []).map((file) => ({ name: file.Name, url: file.Url, size: Number(file.Size), sha256: file.Sha256 })),
    }));
  }
}

function updateCheck(mac: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><Request><DeviceType>UCPhone</DeviceType><MacAddress>${mac}</MacAddress>` +
    `<Vendor>Polycom</Vendor><Model>CX600</Model><Revision>A</Revision><Locale>ENU</Locale><Modules><Module>` +
    `<UpdateType>CPE</UpdateType><Filename>CPE.nbt</Filename><Version>1.0</Version></Module></Modules></Request>`
  );
}

function call(
  url: string,
  { method = 'GET', headers = {}, body, agent }: { method?: string; headers?: Record<string, string>; body?: Buffer; agent?: Agent } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, headers, agent, timeout: 30_000 }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end(body);
  });
}

async function tearDownMount(path: string): Promise<void> {
  try {
    execFileSync('mountpoint', ['-q', path]);
  } catch {
    return; // not mounted
  }
  execFileSync('umount', [path]);
}
