import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeActivityView, PoolActivityView } from '@ucupdates/admin-api';
import { ACTIVITY_TTL_SECONDS, activityKey, minuteStart } from '@ucupdates/observability';
import { ObjectStorage } from '@ucupdates/storage';
import { Redis } from 'ioredis';
import request from 'supertest';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { PoolStateService } from '../../apps/frontend/src/devices/pool-state/pool-state.service';
import { CatalogSeed } from '../support/catalog-seed';
import { startTestFrontend, useTestFrontend } from '../support/harness';
import { waitFor } from '../support/waiting';

const VERSION = '4.0.7577.4400';
const check = (mac: string) =>
  `<?xml version="1.0" encoding="utf-8"?><Request><DeviceType>UCPhone</DeviceType><MacAddress>${mac}</MacAddress>` +
  `<Vendor>Polycom</Vendor><Model>CX600</Model><Revision>A</Revision><Locale>ENU</Locale><Modules>` +
  `<Module><UpdateType>CPE</UpdateType><Filename>CPE.nbt</Filename><Version>4.0.7577.4300</Version></Module></Modules></Request>`;
const sum = (values: ReadonlyArray<number | null>) => values.reduce<number>((total, value) => total + (value ?? 0), 0);

/**
 * The pool at a glance (decision 65): two frontends on one database and Redis count the update
 * checks and downloads they answer, write their minutes to Redis, and either one serves every
 * node's last hour at GET /api/v1/nodes/activity.
 */
describe('the pool at a glance (GET /api/v1/nodes/activity)', () => {
  const replicaDir = mkdtempSync(join(tmpdir(), 'ucu-activity-replica-'));
  const context = useTestFrontend(__filename, { settings: { UCU_NODE_ID: 'glance-1', UCU_REPLICA_DIR: replicaDir } });
  let second: Frontend;
  let redis: Redis;
  const activity = async (on: () => request.Agent | ReturnType<typeof context.internal>) =>
    (await on().get('/api/v1/nodes/activity').set(context.as('viewer')).expect(200)).body as PoolActivityView;

  beforeAll(async () => {
    const seed = new CatalogSeed(context.dataSource, context.frontend.core.get(ObjectStorage), replicaDir);
    const rule = await seed.rule();
    await seed.version(rule, VERSION, [
      { name: 'CPE.nbt', role: 'image', content: Buffer.alloc(4096, 1) },
      { name: 'CPE.cat', role: 'catalog', content: Buffer.alloc(512, 2) },
    ]);
    await seed.state(rule, { approved: VERSION });
    await context.frontend.core.get(PoolStateService).reload();
    // A node of its own: its id, and its own audit journal.
    second = await startTestFrontend({ ...context.config, UCU_NODE_ID: 'glance-2', UCU_AUDIT_JOURNAL_DIR: mkdtempSync(join(tmpdir(), 'ucu-activity-journal-')) });
    // A node that has a row but never ran a frontend: it shows, with no figures.
    await context.dataSource.query(`INSERT INTO pool_nodes (id, url, app_version) VALUES ('glance-3', 'http://10.0.0.3:8000', 'test')`);
    redis = new Redis(context.suite.redisUrl);
    // The suite's Redis database outlives a run (the harness recreates only the database): an
    // earlier run's minutes go. Harmless to the frontends: each writes its minutes' totals again.
    const earlier = await redis.keys('ucupdates:activity:*');
    if (earlier.length > 0) await redis.del(...earlier);
  }, 60_000);

  afterAll(async () => {
    await second?.close();
    await redis?.quit();
  });

  it("serves every node's update checks, downloads and check latency per minute, from what the nodes counted", async () => {
    const first = () => context.internal();
    const other = () => request(second.internal.getHttpServer());
    for (let index = 0; index < 30; index += 1) {
      await first().post('/RequestHandler/ucdevice.upx').set('Content-Type', 'text/xml').send(check(`00-04-F2-00-01-${String(index).padStart(2, '0')}`)).expect(200);
    }
    for (let index = 0; index < 7; index += 1) {
      await other().post('/RequestHandler/ucdevice.upx').set('Content-Type', 'text/xml').send(check(`00-04-F2-00-02-${String(index).padStart(2, '0')}`)).expect(200);
    }
    const file = `/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/${VERSION}/CPE/CPE.nbt`;
    for (let index = 0; index < 4; index += 1) await first().get(file).expect(200);
    await first().get(file).set('Range', 'bytes=0-99').expect(206);
    // Not downloads: a HEAD, a 304 and a 404 send no file.
    await first().head(file).expect(200);
    await first().get(file).set('If-None-Match', (await first().head(file)).headers.etag).expect(304);
    await first().get(`/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/${VERSION}/CPE/missing.bin`).expect(404);

    const node = (view: PoolActivityView, id: string) => view.nodes.find((each) => each.id === id)!;
    // Each node writes its minutes every five seconds; either node answers for all of them.
    const view = await waitFor('both nodes\' counts in Redis', 20_000, async () => {
      const seen = await activity(other);
      return sum(node(seen, 'glance-1').checks) === 30 && sum(node(seen, 'glance-2').checks) === 7 && seen;
    });
    expect(view.minutes).toHaveLength(60);
    expect(Date.parse(view.minutes.at(-1)!)).toBe(minuteStart(Date.now()));
    expect(view.nodes.map((each) => each.id)).toEqual(['glance-1', 'glance-2', 'glance-3']);
    const one: NodeActivityView = node(view, 'glance-1');
    expect(sum(one.downloads)).toBe(5);
    expect(sum(node(view, 'glance-2').downloads)).toBe(0);
    // The minutes the node answered checks in have figures; before it started, none. (Not "the
    // last minute": read in a minute's first seconds, the view has the new minute before the node
    // wrote its figures for it, every five seconds — CI at b9f6a22 read it at hh:mm:01.)
    const ran = one.seconds.map((seconds) => seconds !== null);
    one.checks.forEach((checks, index) => {
      if ((checks ?? 0) > 0) expect(ran[index]).toBe(true);
    });
    expect(ran[0]).toBe(false);
    one.seconds.forEach((seconds, index) => {
      if (seconds === null || one.checks[index] === 0) return;
      expect(one.checksPerSecond[index]).toBeCloseTo(one.checks[index]! / seconds, 2);
      expect(one.checkLatencyMs.mean[index]).toBeGreaterThan(0);
      expect(one.checkLatencyMs.p95[index]).toBeGreaterThan(0);
    });
    expect(node(view, 'glance-3')).toEqual({
      id: 'glance-3',
      seconds: Array(60).fill(null),
      checks: Array(60).fill(null),
      downloads: Array(60).fill(null),
      checksPerSecond: Array(60).fill(null),
      downloadsPerSecond: Array(60).fill(null),
      checkLatencyMs: { mean: Array(60).fill(null), p95: Array(60).fill(null) },
    });
    // Kept an hour (and a minute's margin) in Redis, then gone without anyone deleting it.
    const ttl = await redis.ttl(activityKey(minuteStart(Date.now())));
    expect(ttl).toBeGreaterThan(3600);
    expect(ttl).toBeLessThanOrEqual(ACTIVITY_TTL_SECONDS);
  });

  it('refuses a caller without a token', async () => {
    await context.internal().get('/api/v1/nodes/activity').expect(401);
  });
});
