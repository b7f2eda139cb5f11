import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '@ucupdates/config';
import { ObjectStorage } from '@ucupdates/storage';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { type PhoneIdentity } from '../../apps/sim/src/identities';
import { type OfferedFile, parseCheckAnswer, updateCheckBody } from '../../apps/sim/src/phone-protocol';
import { PoolStateService } from '../../apps/frontend/src/devices/pool-state/pool-state.service';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { CatalogSeed } from '../support/catalog-seed';
import { prepareServices, startTestFrontend } from '../support/harness';
import { suiteResources, testConfig } from '../support/test-environment';
import { sleep } from '../support/waiting';

const suite = suiteResources(__filename);
const ADMIN = 'retired-versions-admin-token-0123456789';
const GRACE_SECONDS = 4;

const phone = (mac: string, model: string): PhoneIdentity => ({
  index: 0,
  deviceType: 'UCPhone',
  mac,
  serial: `SN-${mac}`,
  brand: 'Polycom',
  model,
  revision: 'A',
  locale: 'ENU',
  userId: null,
  testDevice: false,
  external: false,
  installed: { CPE: '0.1' },
});

/**
 * A version a reset or a restore (roll back) takes away stays downloadable for
 * UCU_RETIRED_VERSION_GRACE_SECONDS: a phone offered it a moment before the change finishes its
 * download; after the grace period its files are gone (404), and clear-files keeps them until then.
 */
describe('the grace period of a retired version', () => {
  let config: Config;
  let frontend: Frontend;
  let seed: CatalogSeed;
  const api = () => request(frontend.internal.getHttpServer());
  const admin = { Authorization: `Bearer ${ADMIN}` };
  const reload = () => frontend.core.get(PoolStateService).reload();

  /** What the phone is offered for CPE: the version and its image file (absolute URL). */
  async function offer(identity: PhoneIdentity): Promise<{ version: string | null; image: OfferedFile | undefined }> {
    const answer = await api()
      .post('/RequestHandler/ucdevice.upx')
      .set('Content-Type', 'text/xml')
      .send(updateCheckBody(identity, identity.installed, '2030-01-01T00:00:00Z'))
      .expect(200);
    const module = parseCheckAnswer(answer.text).modules.find((offered) => offered.updateType === 'CPE');
    return { version: module?.version ?? null, image: module?.files.find((file) => file.name === 'CPE.nbt') };
  }

  const download = (file: OfferedFile) => api().get(new URL(file.url).pathname).buffer(true);

  beforeAll(async () => {
    const replicaDir = await mkdtemp(join(tmpdir(), 'ucu-retired-replica-'));
    config = testConfig({
      DATABASE_URL: await suite.recreateDatabase(),
      REDIS_URL: suite.redisUrl,
      UCU_BOOTSTRAP_ADMIN_TOKEN: ADMIN,
      UCU_REPLICA_DIR: replicaDir,
      UCU_RETIRED_VERSION_GRACE_SECONDS: String(GRACE_SECONDS),
    });
    await prepareServices(config);
    frontend = await startTestFrontend(config);
    seed = new CatalogSeed(frontend.core.get(DataSource), frontend.core.get(ObjectStorage), replicaDir);
  });

  afterAll(async () => {
    await frontend?.close();
  });

  it('serves a reset pending version and a rolled back approved version until the grace period ends, and clear-files keeps them', async () => {
    // GR1: 1.0 approved, 2.0 pending for a test device; GR2: 3.0 approved, 2.5 to restore.
    const reset = await seed.rule({ model: 'GR1' });
    await seed.version(reset, '1.0', [{ name: 'CPE.nbt', role: 'image', content: Buffer.from('one') }]);
    const pending = await seed.version(reset, '2.0', [{ name: 'CPE.nbt', role: 'image', content: Buffer.from('two, pending') }]);
    await seed.state(reset, { approved: '1.0', pending: '2.0' });
    const restored = await seed.rule({ model: 'GR2' });
    await seed.version(restored, '2.5', [{ name: 'CPE.nbt', role: 'image', content: Buffer.from('two and a half') }]);
    const approved = await seed.version(restored, '3.0', [{ name: 'CPE.nbt', role: 'image', content: Buffer.from('three, approved') }]);
    await seed.state(restored, { approved: '3.0', restore: '2.5' });
    const tester = phone('00-04-F2-6A-00-01', 'GR1');
    await api().post('/api/v1/test-devices').set(admin).send({ scope: 'global', name: 'grace tester', identifierType: 'MACAddress', identifier: tester.mac }).expect(201);
    await reload();

    // Each phone is offered a version; then the change takes it away.
    const offeredPending = await offer(tester);
    expect(offeredPending.version).toBe('2.0');
    const offeredApproved = await offer(phone('00-04-F2-6A-00-02', 'GR2'));
    expect(offeredApproved.version).toBe('3.0');
    await api().post(`/api/v1/rules/${reset}/reset`).set(admin).expect(200);
    await api().post(`/api/v1/rules/${restored}/restore`).set(admin).expect(200);
    const changedAt = Date.now();
    await reload();
    expect((await offer(tester)).version).toBe('1.0');

    // Within the grace period both downloads finish with the right bytes, clear-files notwithstanding.
    await api().post('/api/v1/files/purge').set(admin).expect(200);
    await reload();
    for (const [file, content] of [
      [offeredPending.image!, pending[0].content],
      [offeredApproved.image!, approved[0].content],
    ] as const) {
      const answer = await download(file);
      expect(answer.status).toBe(200);
      expect(Buffer.from(answer.body as Buffer).equals(content)).toBe(true);
    }

    // After it, they are gone, with or without a reload of the pool state.
    await sleep(Math.max(0, changedAt + GRACE_SECONDS * 1000 + 200 - Date.now()));
    await download(offeredPending.image!).expect(404);
    await download(offeredApproved.image!).expect(404);
    await reload();
    await download(offeredPending.image!).expect(404);
    await download(offeredApproved.image!).expect(404);
    const purged = await api().post('/api/v1/files/purge').set(admin).expect(200);
    expect(purged.body.removed).toBe(2);
  }, 30_000);

  it('a retired version approved again is offered, and served past the grace period', async () => {
    const rule = await seed.rule({ model: 'GR3' });
    await seed.version(rule, '1.0', [{ name: 'CPE.nbt', role: 'image', content: Buffer.from('gr3 one') }]);
    await seed.version(rule, '2.0', [{ name: 'CPE.nbt', role: 'image', content: Buffer.from('gr3 two') }]);
    await seed.state(rule, { approved: '2.0', restore: '1.0' });
    await reload();
    const before = await offer(phone('00-04-F2-6A-00-03', 'GR3'));
    expect(before.version).toBe('2.0');
    await api().post(`/api/v1/rules/${rule}/restore`).set(admin).expect(200);
    // 2.0 is retired; imported again (pending) and approved, it is offered again and stays.
    await seed.state(rule, { approved: '1.0', pending: '2.0' });
    await api().post(`/api/v1/rules/${rule}/approve`).set(admin).query({ force: true }).expect(200);
    await sleep(GRACE_SECONDS * 1000 + 200);
    await reload();
    expect((await offer(phone('00-04-F2-6A-00-03', 'GR3'))).version).toBe('2.0');
    await download(before.image!).expect(200);
  }, 30_000);
});
