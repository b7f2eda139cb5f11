import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '@ucupdates/config';
import { ObjectStorage } from '@ucupdates/storage';
import request from 'supertest';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { PoolStateService } from '../../apps/frontend/src/devices/pool-state/pool-state.service';
import { CatalogSeed } from '../support/catalog-seed';
import { prepareServices, startTestFrontend } from '../support/harness';
import { PrivatePostgres } from '../support/private-postgres';
import { suiteResources, testConfig } from '../support/test-environment';

const suite = suiteResources(__filename);

const ADMIN = 'postgres-outage-admin-token-01';

function check(mac: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><Request><DeviceType>UCPhone</DeviceType><MacAddress>${mac}</MacAddress>` +
    `<Vendor>Polycom</Vendor><Model>CX600</Model><Revision>A</Revision><Locale>ENU</Locale><Modules/></Request>`
  );
}

/**
 * Postgres away under a running frontend (docs/reliability.md, fault matrix), on a Postgres server of this suite's own that
 * it stops and starts: phones keep their answers (from memory) and every answered check keeps its
 * audit row (journaled locally, written once Postgres is back); admin changes fail cleanly, 503.
 */
describe('a frontend while Postgres is away', () => {
  const postgres = new PrivatePostgres('postgres-outage', suite.port(190));
  let config: Config;
  let frontend: Frontend;
  let journalDir: string;
  let replicaDir: string;
  const api = () => request(frontend.internal.getHttpServer());
  const phoneCheck = (mac: string) => api().post('/RequestHandler/ucdevice.upx').set('Content-Type', 'text/xml').send(check(mac));

  beforeAll(async () => {
    postgres.init();
    postgres.createDatabase('ucupdates');
    journalDir = await mkdtemp(join(tmpdir(), 'ucu-journal-'));
    replicaDir = await mkdtemp(join(tmpdir(), 'ucu-outage-replica-'));
    config = testConfig({
      DATABASE_URL: postgres.urlOf('ucupdates'),
      REDIS_URL: suite.redisUrl,
      UCU_BOOTSTRAP_ADMIN_TOKEN: ADMIN,
      UCU_AUDIT_JOURNAL_DIR: journalDir,
      UCU_REPLICA_DIR: replicaDir,
      UCU_NODE_ID: 'outage-node',
      UCU_LOG_LEVEL: 'fatal',
    });
    await prepareServices(config);
    frontend = await startTestFrontend(config);
    const seed = new CatalogSeed(frontend.core.get(DataSource), frontend.core.get(ObjectStorage), replicaDir);
    const rule = await seed.rule();
    await seed.version(rule, '2.0', [{ name: 'CPE.nbt', role: 'image', content: Buffer.from('image of 2.0') }]);
    await seed.state(rule, { approved: '2.0' });
    await frontend.core.get(PoolStateService).reload();
  }, 60_000);

  afterAll(async () => {
    await frontend?.close();
    postgres.remove();
    await rm(journalDir, { recursive: true, force: true });
    await rm(replicaDir, { recursive: true, force: true });
  });

  it('answers phones from memory, keeps their audit rows in the journal, refuses admin changes 503, and catches up after', async () => {
    const before = await phoneCheck('00-04-F2-00-10-00').expect(200);
    expect(before.text).toContain('<Version>2.0</Version>');

    postgres.stop('fast');
    const answered: string[] = [];
    for (let n = 1; n <= 30; n++) {
      const response = await phoneCheck(`00-04-F2-00-10-${n.toString(16).padStart(2, '0')}`).expect(200);
      expect(response.text).toContain('<Version>2.0</Version>'); // the right answer, never a wrong version
      answered.push(response.headers['x-request-id']);
    }
    expect((await readdir(journalDir)).some((name) => name.startsWith('segment-'))).toBe(true);

    const refused = await api()
      .post('/api/v1/test-devices')
      .set('Authorization', `Bearer ${ADMIN}`)
      .send({ scope: 'global', name: 'during outage', identifierType: 'MACAddress', identifier: '00-04-F2-00-20-01' })
      .expect(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.body.error.code).toBe('ServiceUnavailable');

    postgres.start();
    const db = new Client({ connectionString: postgres.urlOf('ucupdates') });
    await db.connect();
    try {
      let audited = 0;
      for (const deadline = Date.now() + 15_000; audited < answered.length && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        audited = (await db.query(`SELECT count(*)::int AS n FROM request_audit WHERE request_id = ANY($1::uuid[])`, [answered])).rows[0].n;
      }
      expect(audited).toBe(answered.length);
      const inventory = await db.query(`SELECT count(*)::int AS n FROM devices WHERE mac_address LIKE '00-04-F2-00-10-%'`);
      expect(inventory.rows[0].n).toBe(31);
    } finally {
      await db.end();
    }
    // The open segment goes once everything in it is shipped and it has been idle a second.
    for (const deadline = Date.now() + 5_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 250))) {
      if ((await readdir(journalDir)).every((name) => !name.startsWith('segment-'))) break;
    }
    expect((await readdir(journalDir)).filter((name) => name.startsWith('segment-'))).toEqual([]);

    await api()
      .post('/api/v1/test-devices')
      .set('Authorization', `Bearer ${ADMIN}`)
      .send({ scope: 'global', name: 'after outage', identifierType: 'MACAddress', identifier: '00-04-F2-00-20-02' })
      .expect(201);
  }, 60_000);
});
