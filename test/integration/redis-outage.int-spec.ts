import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '@ucupdates/config';
import { bullQueueName, QUEUE_PREFIX, QueueName } from '@ucupdates/jobs';
import { createRedis } from '@ucupdates/redis';
import { ObjectStorage } from '@ucupdates/storage';
import { Queue } from 'bullmq';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { PoolStateService } from '../../apps/frontend/src/devices/pool-state/pool-state.service';
import { CatalogSeed } from '../support/catalog-seed';
import { prepareServices, startTestFrontend } from '../support/harness';
import { PrivateRedis } from '../support/private-redis';
import { suiteResources, testConfig, testServices } from '../support/test-environment';

const suite = suiteResources(__filename);

const ADMIN = 'redis-outage-admin-token-0123';

function check(mac: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><Request><DeviceType>UCPhone</DeviceType><MacAddress>${mac}</MacAddress>` +
    `<Vendor>Polycom</Vendor><Model>CX600</Model><Revision>A</Revision><Locale>ENU</Locale><Modules/></Request>`
  );
}

/**
 * Redis away under a running frontend (docs/reliability.md, fault matrix), on a Redis of this suite's own: update checks,
 * external sign-ins and downloads go on within their usual time; admin changes commit (their
 * announcement is what waits); an upload that cannot queue its import is refused 503 and queued
 * when sent again; a change made meanwhile reaches memory once Redis is back.
 */
describe('a frontend while Redis is away', () => {
  const redis = new PrivateRedis(join(testServices.stateDir, 'private-redis-outage'), suite.port(190));
  let config: Config;
  let frontend: Frontend;
  let replicaDir: string;
  const api = () => request(frontend.internal.getHttpServer());
  const admin = { Authorization: `Bearer ${ADMIN}` };
  const alice = { Authorization: `Basic ${Buffer.from('sip:alice@contoso.com:Pa55word!').toString('base64')}` };
  const internalCheck = (mac: string) => api().post('/RequestHandler/ucdevice.upx').set('Content-Type', 'text/xml').send(check(mac));

  beforeAll(async () => {
    await redis.start();
    replicaDir = await mkdtemp(join(tmpdir(), 'ucu-redis-outage-'));
    config = testConfig({
      DATABASE_URL: await suite.recreateDatabase(),
      REDIS_URL: redis.url(),
      UCU_BOOTSTRAP_ADMIN_TOKEN: ADMIN,
      UCU_REPLICA_DIR: replicaDir,
      UCU_AUDIT_JOURNAL_DIR: join(replicaDir, 'journal'),
      UCU_NODE_ID: 'redis-outage-node',
      UCU_AUTH_FAILURE_LIMIT: '3',
      UCU_LOG_LEVEL: 'fatal',
    });
    await prepareServices(config);
    frontend = await startTestFrontend(config);
    const seed = new CatalogSeed(frontend.core.get(DataSource), frontend.core.get(ObjectStorage), replicaDir);
    const rule = await seed.rule();
    await seed.version(rule, '2.0', [{ name: 'CPE.nbt', role: 'image', content: Buffer.from('image of 2.0') }]);
    await seed.version(rule, '3.0', [{ name: 'CPE.nbt', role: 'image', content: Buffer.from('image of 3.0') }]);
    await seed.state(rule, { approved: '2.0', pending: '3.0' });
    await api().post('/api/v1/phone-users').set(admin).send({ userId: 'sip:alice@contoso.com', password: 'Pa55word!' }).expect(201);
    await frontend.core.get(PoolStateService).reload();
  }, 60_000);

  afterAll(async () => {
    await frontend?.close();
    await redis.stop();
    await rm(replicaDir, { recursive: true, force: true });
  });

  it('keeps phones answered and admin changes working, refuses an upload it cannot queue, and catches up after', async () => {
    await redis.stop();

    const started = Date.now();
    expect((await internalCheck('00-04-F2-00-30-01').expect(200)).text).toContain('<Version>2.0</Version>');
    const external = await request(frontend.external.getHttpServer())
      .post('/RequestHandlerExt/ucdevice.upx')
      .set('Content-Type', 'text/xml')
      .set(alice)
      .send(check('00-04-F2-00-30-02'))
      .expect(200);
    expect(external.text).toContain('/DeviceUpdateFiles_Ext/');
    await api().get('/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/2.0/CPE/CPE.nbt').expect(200);
    // Guessing is still throttled, by this node alone while Redis is away.
    const wrong = { Authorization: `Basic ${Buffer.from('sip:mallory@contoso.com:guess').toString('base64')}` };
    for (let attempt = 0; attempt < 3; attempt++) {
      await request(frontend.external.getHttpServer()).post('/RequestHandlerExt/ucdevice.upx').set('Content-Type', 'text/xml').set(wrong).send(check('00-04-F2-00-30-03')).expect(401);
    }
    await request(frontend.external.getHttpServer()).post('/RequestHandlerExt/ucdevice.upx').set('Content-Type', 'text/xml').set(wrong).send(check('00-04-F2-00-30-03')).expect(429);

    // An admin change commits; only its announcement is lost.
    await api()
      .post('/api/v1/test-devices')
      .set(admin)
      .send({ scope: 'global', name: 'added while Redis was away', identifierType: 'MACAddress', identifier: '00-04-F2-00-30-09' })
      .expect(201);

    // An upload cannot queue its import: refused 503, and the import waits as `queued`.
    const cab = Buffer.from('MSCF not really a cabinet, but bytes to store');
    const refused = await api().post('/api/v1/updates').set(admin).set('Content-Type', 'application/vnd.ms-cab-compressed').send(cab).expect(503);
    expect(refused.body.error.code).toBe('ServiceUnavailable');
    expect(Date.now() - started).toBeLessThan(20_000); // nothing waited for Redis to come back

    await redis.start();
    // The node reconnects by itself (its readiness says when), then takes the same bytes sent
    // again: they find their import and queue it.
    let ready = 0;
    for (const deadline = Date.now() + 10_000; ready !== 200 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      ready = (await api().get('/readyz')).status;
    }
    expect(ready).toBe(200);
    const again = await api().post('/api/v1/updates').set(admin).set('Content-Type', 'application/vnd.ms-cab-compressed').send(cab).expect(200);
    const connection = createRedis(redis.url(), 'inspect');
    const queue = new Queue(bullQueueName(QueueName.Import), { connection, prefix: QUEUE_PREFIX });
    try {
      expect(await queue.getJob(again.body.sha256)).toBeTruthy();
    } finally {
      await queue.close();
      connection.disconnect();
    }

    // The test device added during the outage reaches memory once the subscriber is back.
    let version = '';
    for (const deadline = Date.now() + 10_000; version !== '3.0' && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      version = /<Version>([^<]+)<\/Version>/.exec((await internalCheck('00-04-F2-00-30-09').expect(200)).text)?.[1] ?? '';
    }
    expect(version).toBe('3.0');
  }, 60_000);
});
