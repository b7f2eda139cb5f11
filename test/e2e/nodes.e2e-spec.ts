import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import type { NodeView } from '@ucupdates/admin-api';
import { LocalPool } from '../../tools/local-pool/local-pool';
import { runMigrations } from '../../tools/local-pool/prerequisites';
import { createPoolPki, type PoolPki } from '../support/test-pki';
import { AdminClient } from '../support/admin-client';
import { call, PhoneLoad, updateCheck } from '../support/phone-load';
import { catalogueFiles, holdsEveryFile, wrongReplicas } from '../support/replica-files';
import { ROOT, suiteResources, testServices } from '../support/test-environment';
import { sleep, waitFor } from '../support/waiting';

const suite = suiteResources(__filename);
const TOKEN = 'e2e-nodes-token-0123456789';
/**
 * Long, so that a crashed node counts as active for the whole test (as it does for a minute in
 * production), and only its removal stops the pool waiting for it.
 */
const DOWN_AFTER_MS = 60_000;

/**
 * Nodes that come and go (docs/kubernetes.md, Nodes that come and go): on the real pool of three
 * nodes behind HAProxy, a fourth joins under phone load and fills its replica store by itself; a
 * crashed node holds up an approval until an admin removes it, which drains it; a node stopped
 * gracefully is removed with the CLI.
 */
describe('nodes that come and go', () => {
  const stateDir = join(testServices.stateDir, 'e2e-nodes');
  let pool: LocalPool;
  let pki: PoolPki;
  const api = new AdminClient(() => pool.internalUrl, TOKEN, () => ({ dir: stateDir, pki }));
  let db: Client;
  let redis: Redis;
  let expected: Map<string, string>;

  beforeAll(async () => {
    pki = createPoolPki(join(stateDir, 'pki'));
    redis = new Redis(suite.redisUrl);
    await redis.flushdb();
    const env = {
      PATH: process.env.PATH,
      TZ: 'UTC',
      DATABASE_URL: await suite.recreateDatabase(),
      REDIS_URL: suite.redisUrl,
      ...testServices.s3,
      S3_BUCKET: 'ucupdates-e2e-nodes',
      UCU_BOOTSTRAP_ADMIN_TOKEN: TOKEN,
      UCU_HEARTBEAT_INTERVAL_MS: '500',
      UCU_NODE_DOWN_AFTER_MS: String(DOWN_AFTER_MS),
      UCU_SHUTDOWN_TIMEOUT_MS: '5000',
      UCU_TRUSTED_CA_FILE: pki.caFile,
    };
    runMigrations(ROOT, env);
    db = new Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    pool = new LocalPool({ root: ROOT, stateDir: join(stateDir, 'pool'), nodes: 3, host: '127.0.0.1', ...suite.pool, haproxy: testServices.haproxy, env });
    await pool.start();
    // A catalogue of several files, approved, on every node.
    const imported = await api.importPackage('initial', [
      { folder: 'CPE', version: '4.0.7577.4372', image: randomBytes(4_000_000) },
      { folder: 'UCM', updateType: 'UCM', version: '1.2.3', image: randomBytes(3_000_000) },
      { folder: 'BT', updateType: 'BT', version: '2.0.1', image: randomBytes(3_000_000) },
    ]);
    const files = await catalogueFiles(db);
    await waitFor('every node to hold every file', 120_000, async () => [0, 1, 2].every((index) => holdsEveryFile(pool.replicaDir(index), files)));
    for (const update of imported.updates) {
      expect((await admin('POST', `/api/v1/rules/${update.ruleId}/approve`)).status).toBe(200);
    }
    expected = new Map(imported.updates.map((update) => [update.updateType, update.version]));
  }, 240_000);

  afterAll(async () => {
    await pool?.stop();
    await db?.end().catch(() => undefined);
    redis?.disconnect();
  }, 60_000);

  it('a fourth node joins under phone load, registers, fills its replica store by itself and shows its progress', async () => {
    const files = await catalogueFiles(db);
    const load = new PhoneLoad(pool.internalUrl, expected);
    load.start(4);
    await sleep(500);
    const index = pool.addNode();
    // Its frontend first: it registers, and the node view shows the node with its store empty —
    // nothing can fill it before its worker runs, so this is seen however fast the machine is
    // (watching a node that fills in a second for a sighting with files missing would race it).
    pool.startFrontend(index);
    await pool.waitForNode(index);
    const registered = (await nodes()).find((item) => item.id === 'node-4');
    expect(registered?.replicas).toEqual({ ready: 0, missing: files.length });
    // Then its worker, which fills the store by itself; the view counts up to every file.
    pool.startWorker(index);
    const seen: NodeView['replicas'][] = [];
    const joined = await waitFor('node-4 to be active and hold every file', 120_000, async () => {
      const node = (await nodes()).find((item) => item.id === 'node-4');
      if (node) seen.push(node.replicas);
      return node?.status === 'active' && node.worker.status === 'active' && node.replicas.missing === 0 ? node : null;
    });
    await load.stop();

    expect(joined.replicas).toEqual({ ready: files.length, missing: 0 });
    // Progress only forward: every sighting covers every file, and no file counted ready is lost.
    expect(seen.every((progress) => progress.ready + progress.missing === files.length)).toBe(true);
    expect(seen.every((progress, at) => at === 0 || progress.ready >= seen[at - 1].ready)).toBe(true);
    expect(holdsEveryFile(pool.replicaDir(index), files)).toBe(true);
    expect(await wrongReplicas(pool.replicaDir(index), files)).toEqual([]);
    expect({ errors: load.errors.slice(0, 5), wrong: load.wrong.slice(0, 5) }).toEqual({ errors: [], wrong: [] });
    expect(load.answered.length).toBeGreaterThan(20);
    // It answers phones itself, from the store it filled.
    const check = await call(`${pool.nodeUrl(index)}/RequestHandler/ucdevice.upx`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml' },
      body: Buffer.from(updateCheck('00-04-F2-40-FF-01')),
    });
    expect(check.status).toBe(200);
    expect(check.body).toContain('4.0.7577.4372');
  }, 180_000);

  it('a crashed node holds up an approval and admin changes until it is removed; removal drains its queue, rows and confirmation', async () => {
    await Promise.all([pool.workers[2].kill(), pool.frontends[2].kill()]);
    const { updates } = await api.importPackage('after-crash', [{ folder: 'NR', updateType: 'NR', version: '7.0.1', image: randomBytes(1_000_000) }]);
    const ruleId = updates[0].ruleId;
    // Every node but the crashed one fills; the approval then waits for node-3 alone.
    const waiting = await waitFor('the approval to wait for node-3 alone', 60_000, async () => {
      const refused = await admin('POST', `/api/v1/rules/${ruleId}/approve`);
      expect(refused.status).toBe(409);
      const { error } = JSON.parse(refused.body) as { error: { code: string; details: { nodes: Record<string, string[]> } } };
      return Object.keys(error.details.nodes).join() === 'node-3' ? error : null;
    });
    expect(waiting.code).toBe('NotReplicated');
    expect(await queueKeys('node-3')).not.toEqual([]); // its replication jobs wait for it
    // An admin change waits for its confirmation too (UCU_CHANGE_CONFIRM_TIMEOUT_MS), naming it.
    const unconfirmed = await admin('POST', '/api/v1/test-devices', testDevice('00-04-F2-40-00-01'));
    expect([unconfirmed.status, unconfirmed.headers['x-ucu-unconfirmed-nodes']]).toEqual([201, 'node-3']);

    // Its heartbeat is recent (within UCU_NODE_DOWN_AFTER_MS): refused unless forced, by name.
    const refused = await admin('DELETE', '/api/v1/nodes/node-3');
    expect(refused.status).toBe(409);
    expect(JSON.parse(refused.body).error).toMatchObject({
      code: 'NodeActive',
      message: expect.stringContaining('node node-3 is still running'),
      details: { node: 'node-3', frontend: { active: true }, worker: { active: true } },
    });
    expect((await admin('DELETE', '/api/v1/nodes/node-3?force=true')).status).toBe(204);

    const approved = await admin('POST', `/api/v1/rules/${ruleId}/approve`);
    expect(approved.status).toBe(200);
    const confirmed = await admin('POST', '/api/v1/test-devices', testDevice('00-04-F2-40-00-02'));
    expect([confirmed.status, confirmed.headers['x-ucu-unconfirmed-nodes']]).toEqual([201, undefined]);
    expect((await nodes()).map((node) => node.id)).toEqual(['node-1', 'node-2', 'node-4']);
    expect(await queueKeys('node-3')).toEqual([]);
    expect(await redis.hget('ucupdates:pool-state:applied', 'node-3')).toBeNull();
    expect((await db.query(`SELECT count(*)::int AS n FROM replicas WHERE node_id = 'node-3'`)).rows[0].n).toBe(0);
    const audit = await db.query(`SELECT actor, before, after FROM admin_audit WHERE action = 'node.remove' AND target = 'node/node-3'`);
    expect(audit.rows).toEqual([
      { actor: expect.any(String), before: expect.objectContaining({ replicas: expect.any(Number) }), after: { forced: true, running: true } },
    ]);
    expect(audit.rows[0].before.replicas).toBeGreaterThan(0);
  }, 180_000);

  it('a node stopped gracefully is removed with the CLI, without force; an unknown node is 404', async () => {
    await Promise.all([pool.frontends[3].stop(), pool.workers[3].stop()]);
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, [join(ROOT, 'dist/apps/cli/apps/cli/src/main.js'), ...args, '--url', pool.internalUrl], {
        env: { PATH: process.env.PATH, UCU_TOKEN: TOKEN },
      });
    const removed = await cli('remove-node', 'node-4');
    expect(removed.stdout.trim()).toBe('Removed node node-4.');
    expect((await nodes()).map((node) => node.id)).toEqual(['node-1', 'node-2']);
    expect(await queueKeys('node-4')).toEqual([]);
    const unknown = await admin('DELETE', '/api/v1/nodes/node-4');
    expect([unknown.status, JSON.parse(unknown.body).error.code]).toEqual([404, 'NotFound']);
    const malformed = await admin('DELETE', '/api/v1/nodes/node%2F4');
    expect([malformed.status, JSON.parse(malformed.body).error.code]).toEqual([400, 'BadRequest']);
  }, 60_000);

  // --- helpers -------------------------------------------------------------------------------

  function admin(method: string, path: string, body?: unknown) {
    return api.request(method, path, body);
  }

  async function nodes(): Promise<NodeView[]> {
    const response = await admin('GET', '/api/v1/nodes');
    expect(response.status).toBe(200);
    return (JSON.parse(response.body) as { items: NodeView[] }).items;
  }

  /** The Redis keys of a node's replication queue (`ucu:{replica-<node>}:…`). */
  async function queueKeys(nodeId: string): Promise<string[]> {
    return redis.keys(`ucu:{replica-${nodeId}}:*`);
  }
});

function testDevice(mac: string) {
  return { scope: 'global', name: `nodes ${mac}`, identifierType: 'MACAddress', identifier: mac };
}
