import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { Client } from 'pg';
import { LocalPool } from '../../tools/local-pool/local-pool';
import { runMigrations } from '../../tools/local-pool/prerequisites';
import { type PrivateObjectStore, privateObjectStore, testS3Service } from '../support/private-object-store';
import { PrivateRedis } from '../support/private-redis';
import { buildPackage, type TestUpdate } from '../support/package-builder';
import { createPoolPki, type PoolPki } from '../support/test-pki';
import { download, sha256OfFile } from '../support/digests';
import { ROOT, suiteResources, testServices } from '../support/test-environment';
import { sleep, waitFor } from '../support/waiting';

const suite = suiteResources(__filename);

const TOKEN = 'e2e-replication-token-0123456789';
const NODES = ['node-1', 'node-2', 'node-3'];

interface ScrubView {
  checkedBytes: number;
  mismatches: number;
  lastMismatch: { sha256: string; at: string } | null;
}

interface ImportView {
  importId: string;
  status: string;
  replication: { state: 'pending' | 'complete'; nodes: Record<string, { ready: number; missing: number }> };
  updates: { ruleId: string; updateType: string; version: string }[];
}

/**
 * Replication on the real pool (docs/replication.md): three nodes behind HAProxy, workers stopped, killed and
 * started like production, and a Redis of this suite's own (with an append-only file, as
 * production runs it) so it can be restarted under the pool. Every test ends with every node
 * holding every file of the catalogue, each verified by SHA-256 on disk.
 */
describe('replication on the real pool', () => {
  let pool: LocalPool;
  let redis: PrivateRedis;
  let store: PrivateObjectStore | undefined;
  let pki: PoolPki;
  let databaseUrl: string;
  let db: Client;
  const stateDir = join(testServices.stateDir, 'e2e-replication');
  const auth = { Authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    rmSync(stateDir, { recursive: true, force: true });
    redis = new PrivateRedis(join(stateDir, 'redis'), suite.port(190));
    await redis.start();
    // The runner's MinIO, or a SeaweedFS of the suite's own with UCU_TEST_S3_SERVICE=seaweedfs.
    if (testS3Service() === 'seaweedfs') {
      store = privateObjectStore(join(stateDir, 's3'), [suite.port(191), suite.port(192), suite.port(193), suite.port(194)]);
      await store.start();
    }
    pki = createPoolPki(join(stateDir, 'pki'));
    const env = {
      PATH: process.env.PATH,
      TZ: 'UTC',
      DATABASE_URL: (databaseUrl = await suite.recreateDatabase()),
      REDIS_URL: redis.url(),
      ...(store?.s3 ?? testServices.s3),
      S3_BUCKET: 'ucupdates-e2e-replication',
      UCU_BOOTSTRAP_ADMIN_TOKEN: TOKEN,
      UCU_HEARTBEAT_INTERVAL_MS: '500',
      UCU_NODE_DOWN_AFTER_MS: '2000',
      UCU_SHUTDOWN_TIMEOUT_MS: '5000',
      UCU_TRUSTED_CA_FILE: pki.caFile,
      // The scrub goes over a node's store in seconds while it holds a few megabytes (a day by default).
      UCU_SCRUB_RATE_MB_S: '4',
    };
    runMigrations(ROOT, env);
    db = new Client({ connectionString: databaseUrl });
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
  }, 180_000);

  afterAll(async () => {
    await pool?.stop();
    await db?.end();
    await redis?.stop();
    await store?.stop();
  }, 60_000);

  const call = (method: string, path: string, body?: Buffer, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(`${pool.internalUrl}${path}`, { method, headers: { ...auth, ...headers }, timeout: 60_000 }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      });
      request.on('error', reject);
      request.end(body);
    });

  /** Uploads a package through the load balancer and waits until it is imported. */
  async function importPackage(name: string, updates: TestUpdate[]): Promise<ImportView> {
    const cab = buildPackage(join(stateDir, name), pki, updates);
    const uploaded = await call('POST', '/api/v1/updates', cab, { 'Content-Type': 'application/vnd.ms-cab-compressed' });
    expect(uploaded.status).toBe(202);
    const { importId } = JSON.parse(uploaded.body) as { importId: string };
    return waitFor(`import ${name}`, 120_000, async () => {
      const view = JSON.parse((await call('GET', `/api/v1/imports/${importId}`)).body) as ImportView;
      expect(view.status).not.toBe('failed');
      return view.status === 'succeeded' ? view : null;
    });
  }

  /** Waits until every node's replica store holds every catalogued file, each verified by SHA-256. */
  async function everyNodeHoldsEveryFile(timeoutMs = 120_000): Promise<void> {
    const files = (await db.query(`SELECT DISTINCT f.sha256, fi.size::bigint AS size FROM update_version_files f JOIN files fi USING (sha256)`))
      .rows as { sha256: string; size: string }[];
    expect(files.length).toBeGreaterThan(0);
    await waitFor('every node to hold every file', timeoutMs, async () => {
      for (let index = 0; index < NODES.length; index++) {
        for (const file of files) {
          const path = join(pool.replicaDir(index), file.sha256.slice(0, 2), file.sha256);
          if (!existsSync(path) || statSync(path).size !== Number(file.size)) return null;
        }
      }
      return true;
    });
    for (let index = 0; index < NODES.length; index++) {
      for (const file of files) {
        expect({ node: NODES[index], sha256: await sha256OfFile(join(pool.replicaDir(index), file.sha256.slice(0, 2), file.sha256)) }).toEqual({
          node: NODES[index],
          sha256: file.sha256,
        });
      }
    }
    const rows = await db.query(`SELECT count(*)::int AS ready FROM replicas WHERE state = 'ready'`);
    expect(rows.rows[0].ready).toBe(files.length * NODES.length);
  }

  it('replicates an upload to every node; a node whose worker was stopped catches up; approve waits for it', async () => {
    await pool.workers[2].stop();
    const imported = await importPackage('catch-up', [
      { folder: 'CPE', version: '4.0.7577.4372', image: randomBytes(3_000_000) },
      { folder: 'UCM', updateType: 'UCM', version: '1.2.3', image: randomBytes(500_000) },
    ]);
    const cpe = imported.updates.find((update) => update.updateType === 'CPE')!;
    // Nodes 1 and 2 fill; node 3 is active (its frontend answers) but its worker is away.
    const partial = await waitFor('nodes 1 and 2', 60_000, async () => {
      const view = JSON.parse((await call('GET', `/api/v1/imports/${imported.importId}`)).body) as ImportView;
      return view.replication.nodes['node-1']?.missing === 0 && view.replication.nodes['node-2']?.missing === 0 ? view : null;
    });
    expect(partial.replication.state).toBe('pending');
    expect(partial.replication.nodes['node-3'].ready).toBe(0);
    const refused = await call('POST', `/api/v1/rules/${cpe.ruleId}/approve`);
    expect(refused.status).toBe(409);
    expect(JSON.parse(refused.body).error).toMatchObject({ code: 'NotReplicated', details: { nodes: { 'node-3': ['CPE.cat', 'CPE.nbt'] } } });

    pool.startWorker(2);
    await everyNodeHoldsEveryFile();
    const complete = JSON.parse((await call('GET', `/api/v1/imports/${imported.importId}`)).body) as ImportView;
    expect(complete.replication.state).toBe('complete');
    expect((await call('POST', `/api/v1/rules/${cpe.ruleId}/approve`)).status).toBe(200);
  }, 180_000);

  it('never serves a replica rotted in place (one byte flipped, same size and time) once the scrub reached it, and replaces it', async () => {
    const node = 0;
    const path = '/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/CPE.nbt';
    const [{ sha256: sha }] = (
      await db.query(
        `SELECT f.sha256 FROM update_version_files f JOIN update_versions v ON v.id = f.update_version_id
          WHERE v.version = '4.0.7577.4372' AND f.role = 'image'`,
      )
    ).rows as { sha256: string }[];
    const scrubOf = async () => {
      const nodes = JSON.parse((await call('GET', '/api/v1/nodes')).body) as { items: { id: string; scrub: ScrubView }[] };
      return nodes.items.find((item) => item.id === NODES[node])!.scrub;
    };
    const before = await scrubOf();

    const file = join(pool.replicaDir(node), sha.slice(0, 2), sha);
    const { atime, mtime, size } = statSync(file);
    const bytes = readFileSync(file);
    bytes[Math.floor(size / 2)] ^= 0x01;
    writeFileSync(file, bytes);
    utimesSync(file, atime, mtime);
    // The same time to the millisecond a Date holds (the file system keeps nanoseconds: 0.001 ms apart at most).
    const rotted = statSync(file);
    expect(rotted.size).toBe(size);
    expect(Math.abs(rotted.mtimeMs - mtime.getTime())).toBeLessThan(1);

    // A phone downloads the file from that node over and over, until a while after the scrub found it.
    const downloads: { startedAt: number; sha256: string }[] = [];
    let detectedAt = Infinity;
    const downloading = (async () => {
      while (Date.now() < detectedAt + 2_000) {
        const startedAt = Date.now();
        const served = await download(`${pool.nodeUrl(node)}${path}`);
        expect(served).toMatchObject({ status: 200, size });
        downloads.push({ startedAt, sha256: served.sha256 });
      }
    })();
    const found = await waitFor('the scrub to find the rotten replica', 60_000, async () => {
      const scrub = await scrubOf();
      return scrub.mismatches > before.mismatches ? scrub : null;
    });
    detectedAt = Date.now();
    await downloading;
    expect(found.lastMismatch?.sha256).toBe(sha);
    expect(found.checkedBytes).toBeGreaterThan(before.checkedBytes);
    // Not one download that began once the mismatch was recorded got the rotten bytes.
    const after = downloads.filter((one) => one.startedAt >= Date.parse(found.lastMismatch!.at));
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((one) => one.sha256 !== sha)).toEqual([]);

    const metrics = await (await fetch(`${pool.nodeUrl(node)}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`ucupdates_replica_scrub_mismatches\\{[^}]*node_id="${NODES[node]}"[^}]*\\} ${found.mismatches}`));
    await everyNodeHoldsEveryFile(); // replaced: the file hashes right again, its row is ready
    expect(readFileSync(join(pool.logDir, 'worker-1.log'), 'utf8')).toContain(`scrub: replica ${sha} of node ${NODES[node]}`);
  }, 120_000);

  it('never serves a partial file when a worker is killed mid-copy of 100 MB, and completes it after a restart', async () => {
    const node = 1;
    const image = randomBytes(100 * 1024 * 1024);
    const sha = createHash('sha256').update(image).digest('hex');
    const target = join(pool.replicaDir(node), sha.slice(0, 2), sha);
    const imported = importPackage('large', [{ folder: 'BIG', updateType: 'BIG', version: '9.0.1', image }]);
    // Kill node 2's worker as soon as its temporary copy has started growing.
    const temporary = await waitFor('a temporary copy on node 2', 120_000, async () => {
      const dir = join(pool.replicaDir(node), sha.slice(0, 2));
      const found = existsSync(dir) ? readdirSync(dir).find((name) => name.startsWith('.tmp-') && name.includes(sha)) : undefined;
      return found && statSync(join(dir, found)).size > 0 ? join(dir, found) : null;
    }, 5);
    await pool.workers[node].kill();
    expect(statSync(temporary).size).toBeLessThan(image.length);
    expect(existsSync(target)).toBe(false);
    await imported;

    // The node's frontend serves the whole file anyway (streamed from the object store), never the partial one.
    const path = '/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/9.0.1/BIG/BIG.nbt';
    const served = await download(`${pool.nodeUrl(node)}${path}`);
    expect({ status: served.status, size: served.size, sha256: served.sha256 }).toEqual({ status: 200, size: image.length, sha256: sha });

    pool.startWorker(node);
    await everyNodeHoldsEveryFile();
    expect(existsSync(temporary)).toBe(false);
  }, 300_000);

  it('repairs replica files deleted or corrupted on disk when the worker reconciles', async () => {
    const node = 0;
    const files = (await db.query(`SELECT DISTINCT sha256 FROM update_version_files`)).rows as { sha256: string }[];
    const [deleted, corrupted] = files.map((file) => join(pool.replicaDir(node), file.sha256.slice(0, 2), file.sha256));
    rmSync(deleted);
    writeFileSync(corrupted, randomBytes(statSync(corrupted).size)); // same size, other bytes
    const stray = join(pool.replicaDir(node), 'ff', 'f'.repeat(64));
    mkdirSync(join(pool.replicaDir(node), 'ff'), { recursive: true });
    writeFileSync(stray, 'no version uses this');
    // Reconciliation runs when a worker starts (and every 6 hours, once per pool).
    await pool.workers[node].stop();
    pool.startWorker(node);
    await everyNodeHoldsEveryFile();
    await waitFor('the stray file to go', 30_000, async () => (existsSync(stray) ? null : true));
  }, 180_000);

  it('finishes replicating after Redis restarts, without restarting the workers', async () => {
    const imported = importPackage('redis-restart', [
      { folder: 'R1', updateType: 'R1', version: '1.0.1', image: randomBytes(30_000_000) },
      { folder: 'R2', updateType: 'R2', version: '1.0.2', image: randomBytes(30_000_000) },
    ]);
    await imported;
    const workers = pool.workers.map((worker) => worker.child?.pid);
    await redis.stop(); // redis-server flushes its append-only file and exits
    await sleep(3_000);
    await redis.start();
    await everyNodeHoldsEveryFile(180_000);
    expect(pool.workers.map((worker) => worker.child?.pid)).toEqual(workers);
    expect(pool.workers.every((worker) => worker.running)).toBe(true);
  }, 300_000);

  it("purges files no rule version uses from the object store and from every node's replica store", async () => {
    const rules = JSON.parse((await call('GET', '/api/v1/rules?updateType=R1')).body) as { items: { id: string }[] };
    expect(rules.items).toHaveLength(1);
    const [{ sha256: image }] = (
      await db.query(
        `SELECT f.sha256 FROM update_version_files f JOIN update_versions v ON v.id = f.update_version_id
          WHERE v.rule_id = $1 AND f.role = 'image'`,
        [rules.items[0].id],
      )
    ).rows as { sha256: string }[];
    expect((await call('DELETE', `/api/v1/rules/${rules.items[0].id}`)).status).toBe(204);
    const purged = await call('POST', '/api/v1/files/purge');
    expect(purged.status).toBe(200);
    expect(JSON.parse(purged.body).removed).toBe(2);
    await waitFor('the purged image to leave every node', 60_000, async () =>
      NODES.every((_, index) => !existsSync(join(pool.replicaDir(index), image.slice(0, 2), image))) ? true : null,
    );
    await everyNodeHoldsEveryFile();
  }, 120_000);
});
