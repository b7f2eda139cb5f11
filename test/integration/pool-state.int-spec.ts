import type { Config } from '@ucupdates/config';
import { ruleKey } from '@ucupdates/rules';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { PoolStateService } from '../../apps/frontend/src/devices/pool-state/pool-state.service';
import { prepareServices, startTestFrontend } from '../support/harness';
import { suiteResources, testConfig } from '../support/test-environment';

const suite = suiteResources(__filename);

const ADMIN = 'cache-admin-token-0123456789';

/** Two frontends of one pool: what one changes, the other's in-memory state follows. */
describe("frontends' in-memory rules, test devices and configuration", () => {
  let config: Config;
  let a: Frontend;
  let b: Frontend;

  const digest = async (frontend: Frontend): Promise<string> =>
    (await request(frontend.internal.getHttpServer()).get('/readyz').expect(200)).body.checks.cache.digest;

  async function within(ms: number, condition: () => Promise<boolean>): Promise<number> {
    const started = Date.now();
    while (!(await condition())) {
      if (Date.now() - started > ms) {
        throw new Error(`not within ${ms} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return Date.now() - started;
  }

  beforeAll(async () => {
    config = testConfig({
      DATABASE_URL: await suite.recreateDatabase(),
      REDIS_URL: suite.redisUrl,
      UCU_BOOTSTRAP_ADMIN_TOKEN: ADMIN,
      UCU_CACHE_REFRESH_INTERVAL_MS: '60000',
    });
    await prepareServices(config);
    a = await startTestFrontend({ ...config, UCU_NODE_ID: 'node-a' });
    b = await startTestFrontend({ ...config, UCU_NODE_ID: 'node-b' });
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('start agreeing, and follow a change made through the other node within a second', async () => {
    const before = await digest(b);
    expect(await digest(a)).toBe(before);
    await request(a.internal.getHttpServer())
      .post('/api/v1/test-devices')
      .set('Authorization', `Bearer ${ADMIN}`)
      .send({ scope: 'global', name: 'lab', identifierType: 'MACAddress', identifier: '00-04-F2-00-00-01' })
      .expect(201);
    await within(1_000, async () => (await digest(b)) !== before);
    expect(await digest(b)).toBe(await digest(a));
    expect(b.core.get(PoolStateService).current!.testDevices).toEqual([
      { scope: 'global', identifierType: 'MACAddress', identifier: '00-04-F2-00-00-01' },
    ]);
  });

  it('hold the files of approved and pending versions by rule key', async () => {
    const dataSource = a.core.get(DataSource);
    const [{ id }] = await dataSource.query(
      `INSERT INTO rules (device_type, brand, model, revision, locale, update_type, approved_version, pending_version)
       VALUES ('UCPhone', 'Polycom', 'CX600', 'A', 'ENU', 'CPE', '1.0', '1.1') RETURNING id`,
    );
    await dataSource.query(`INSERT INTO files (sha256, size) VALUES ($1, 1234)`, ['e'.repeat(64)]);
    const [{ id: versionId }] = await dataSource.query(`INSERT INTO update_versions (rule_id, version) VALUES ($1, '1.1') RETURNING id`, [id]);
    await dataSource.query(`INSERT INTO update_version_files (update_version_id, name, role, sha256) VALUES ($1, 'CPE.nbt', 'image', $2)`, [
      versionId,
      'e'.repeat(64),
    ]);
    // Changed behind the API's back: no announcement, so only a reload picks it up.
    await b.core.get(PoolStateService).reload();
    const rule = b.core.get(PoolStateService).current!.rulesByKey.get(ruleKey('UCPHONE', 'polycom', 'cx600', 'a', 'enu', 'cpe'));
    expect(rule).toMatchObject({ approvedVersion: '1.0', pendingVersion: '1.1', files: { '1.1': [{ name: 'CPE.nbt', sha256: 'e'.repeat(64), size: 1234 }] } });
  });

  it('reload periodically, catching a change whose announcement was lost', async () => {
    const c = await startTestFrontend({ ...config, UCU_NODE_ID: 'node-c', UCU_CACHE_REFRESH_INTERVAL_MS: 200 });
    try {
      const before = await digest(c);
      await a.core.get(DataSource).query(`UPDATE rules SET pending_version = NULL`);
      const took = await within(1_000, async () => (await digest(c)) !== before);
      expect(took).toBeLessThan(1_000);
    } finally {
      await c.close();
    }
  });
});
