import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '@ucupdates/config';
import { ObjectStorage } from '@ucupdates/storage';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { PoolStateService } from '../../apps/frontend/src/devices/pool-state/pool-state.service';
import { CatalogSeed, type SeededFile } from '../support/catalog-seed';
import { prepareServices, startTestFrontend } from '../support/harness';
import { suiteResources, testConfig } from '../support/test-environment';
import { waitFor } from '../support/waiting';

const suite = suiteResources(__filename);

const ADMIN = 'ddi-suite-admin-token-0123456789';
const GATEWAY = 'ddi-suite-gateway-token-0123456789';
const ATTRIBUTES = { vendor: 'Contoso', model: 'Gateway-1', hwRevision: '1.0' };

const swu = (text: string) => Buffer.concat([Buffer.from(text), randomBytes(64 * 1024)]);
const digest = (algorithm: string, bytes: Buffer) => createHash(algorithm).update(bytes).digest('hex');

/** The DDI API (ddi.md) of one frontend in this process, on both listeners, against the real Postgres, Redis and MinIO. */
describe('DDI API (poll, deployment, feedback, cancellation, artifacts)', () => {
  let config: Config;
  let frontend: Frontend;
  let dataSource: DataSource;
  let seed: CatalogSeed;
  let replicaDir: string;
  let rule: string;
  const files: Record<string, SeededFile> = {};
  const tokens: Record<string, string> = {};
  const internal = () => request(frontend.internal.getHttpServer());
  const external = () => request(frontend.external.getHttpServer());
  const admin = () => ({ Authorization: `Bearer ${ADMIN}` });
  const device = (id: string) => ({ Authorization: `TargetToken ${tokens[id]}` });
  const base = (id: string, tenant = 'DEFAULT') => `/${tenant}/controller/v1/${id}`;
  const poll = (id: string) => internal().get(base(id)).set(device(id));
  const reload = () => frontend.core.get(PoolStateService).reload();
  const feedback = (execution: string, finished: string, id = 1) => ({
    id,
    time: '20261203T041500',
    status: { result: { progress: { cnt: 3, of: 2 }, finished }, execution, details: ['a detail'] },
  });
  const action = async (id: string) => (await dataSource.query(`SELECT * FROM ddi_actions WHERE id = $1`, [id]))[0];
  const register = async (controllerId: string) => {
    const { body } = await internal().post('/api/v1/ddi/targets').set(admin()).send({ controllerId, attributes: ATTRIBUTES }).expect(201);
    tokens[controllerId] = body.token;
  };
  const version = async (name: string, versionText: string) => {
    const content = swu(name);
    [files[versionText]] = await seed.version(rule, versionText, [{ name, role: 'image', content }]);
    await dataSource.query(`UPDATE files SET sha1 = $2, md5 = $3 WHERE sha256 = $1`, [
      files[versionText].sha256,
      digest('sha1', content),
      digest('md5', content),
    ]);
  };
  const offer = async (versions: { approved?: string | null; pending?: string | null; restore?: string | null }) => {
    await seed.state(rule, versions);
    await reload();
  };
  /** The action id a poll links as a deployment (or null), asserting the answer's required fields. */
  const deploymentOf = async (id: string): Promise<string | null> => {
    const { body } = await poll(id).expect(200).expect('Content-Type', /application\/json/);
    expect(body.config.polling.sleep).toBe('00:05:00');
    const href: string | undefined = body._links.deploymentBase?.href;
    return href === undefined ? null : /deploymentBase\/(\d+)$/.exec(href)![1];
  };

  beforeAll(async () => {
    replicaDir = await mkdtemp(join(tmpdir(), 'ucu-ddi-replica-'));
    config = testConfig({
      DATABASE_URL: await suite.recreateDatabase(),
      REDIS_URL: suite.redisUrl,
      UCU_BOOTSTRAP_ADMIN_TOKEN: ADMIN,
      UCU_REPLICA_DIR: replicaDir,
      UCU_DDI_GATEWAY_TOKEN: GATEWAY,
      // The suite's own wrong tokens all come from 127.0.0.1: fewer than this before the throttling test.
      UCU_AUTH_FAILURE_LIMIT: '10',
      UCU_AUTH_FAILURE_WINDOW_SECONDS: '60',
    });
    await prepareServices(config);
    frontend = await startTestFrontend(config);
    dataSource = frontend.core.get(DataSource);
    seed = new CatalogSeed(dataSource, frontend.core.get(ObjectStorage), replicaDir);
    rule = await seed.rule({ deviceType: 'DDI', brand: 'Contoso', model: 'Gateway-1', revision: '1.0', locale: 'Neutral', updateType: 'os' });
    await version('gateway-2.4.0.swu', '2.4.0');
    await version('gateway-2.4.1.swu', '2.4.1');
    await version('gateway-2.4.2.swu', '2.4.2');
    await offer({ approved: '2.4.0' });
    for (const id of ['gw-0001', 'gw-0002', 'gw-0003', 'gw-test', 'gw-fail']) await register(id);
  });

  afterAll(async () => {
    await frontend?.close();
    await rm(replicaDir, { recursive: true, force: true });
  });

  it('refuses a missing or wrong token (401), another tenant (404) and a bad controller id (400), in JSON', async () => {
    const missing = await internal().get(base('gw-0001')).expect(401).expect('Content-Type', /application\/json/);
    expect(missing.body.errorCode).toBe('AnonymousAccessNotSupported');
    await internal().get(base('gw-0001')).set({ Authorization: 'TargetToken nope' }).expect(401);
    await internal().get(base('gw-0001')).set({ Authorization: `Bearer ${ADMIN}` }).expect(401);
    // Another device's token is no token for this one.
    await internal().get(base('gw-0001')).set(device('gw-0002')).expect(401);
    await internal().get(base('gw-0001', 'OTHER')).set(device('gw-0001')).expect(404);
    await internal().get(base('a b%2Fc')).set(device('gw-0001')).expect(400);
    await internal().get(base('x'.repeat(65))).set(device('gw-0001')).expect(400);
  });

  it('installs: the same action on every poll and both listeners, its deployment, artifact, feedback 200, then the inventory and audit', async () => {
    const id = 'gw-0001';
    const actionId = await deploymentOf(id);
    expect(actionId).not.toBeNull();
    expect(await deploymentOf(id)).toBe(actionId);
    const viaExternal = await external().get(base(id)).set(device(id)).expect(200);
    expect(viaExternal.body._links.deploymentBase.href).toMatch(new RegExp(`/DEFAULT/controller/v1/${id}/deploymentBase/${actionId}$`));

    // SWUpdate sends Content-Type on GETs without a body, and a `charsets` header.
    const { body: deployment } = await internal()
      .get(`${base(id)}/deploymentBase/${actionId}`)
      .set(device(id))
      .set('Content-Type', 'application/json')
      .set('Accept', 'application/hal+json')
      .set('charsets', 'utf-8')
      .expect(200)
      .expect('Content-Type', /application\/json/);
    expect(deployment).toMatchObject({ id: actionId, deployment: { download: 'forced', update: 'forced' } });
    const [artifact] = deployment.deployment.chunks[0].artifacts;
    const content = files['2.4.0'];
    expect(artifact).toMatchObject({
      filename: 'gateway-2.4.0.swu',
      size: content.content.length,
      hashes: { sha1: digest('sha1', content.content), md5: digest('md5', content.content), sha256: content.sha256 },
    });
    const path = new URL(artifact._links.download.href).pathname;
    expect(artifact._links['download-http'].href).toBe(artifact._links.download.href);

    const whole = await internal().get(path).set(device(id)).buffer(true).expect(200);
    expect(digest('sha256', whole.body)).toBe(content.sha256);
    expect(whole.headers.etag).toBe(`"${content.sha256}"`);
    const part = await internal().get(path).set(device(id)).set('Range', 'bytes=10-19').buffer(true).expect(206);
    expect(Buffer.compare(part.body, content.content.subarray(10, 20))).toBe(0);
    await internal().head(path).set(device(id)).expect(200).expect('Content-Length', String(content.content.length));
    await internal().get(path).set(device(id)).set('If-None-Match', `"${content.sha256}"`).expect(304);
    // The artifact of this device's action, with another device's token or none: refused.
    await internal().get(path).set(device('gw-0002')).expect(401);
    await internal().get(path).expect(401);
    // Through the external listener too.
    await external().get(path).set(device(id)).expect(200);

    await internal().post(`${base(id)}/deploymentBase/${actionId}/feedback`).set(device(id)).send(feedback('proceeding', 'none')).expect(200);
    expect((await action(actionId!)).status).toBe('open');
    await internal().post(`${base(id)}/deploymentBase/${actionId}/feedback`).set(device(id)).send(feedback('closed', 'success')).expect(200);
    expect(await action(actionId!)).toMatchObject({ status: 'succeeded', last_feedback: { execution: 'closed', finished: 'success' } });
    expect(await deploymentOf(id)).toBeNull();
    await internal().get(`${base(id)}/installedBase/${actionId}`).set(device(id)).expect(200);

    // Answered once journaled; in Postgres when shipped, about a second later at most (decision 56).
    const inventory = await waitFor('the installed version in the inventory', 10_000, async () => {
      const [row] = await dataSource.query(`SELECT * FROM devices WHERE controller_id = $1`, [id]);
      return row?.modules.length > 0 && row;
    });
    expect(inventory).toMatchObject({ device_type: 'DDI', brand: 'Contoso', modules: [{ updateType: 'os', version: '2.4.0' }] });
    // The poll after the feedback may be in a later shipment than the feedback's inventory row
    // (a node ships at most every 100 ms, decision 79): wait for it too.
    const audit = await waitFor('the four polls in the request audit', 10_000, async () => {
      const answer = await internal().get(`/api/v1/audit/requests?controllerId=${id}&limit=100`).set(admin()).expect(200);
      return answer.body.items.filter((row: { operation: string }) => row.operation === 'DdiPoll').length >= 4 && answer;
    });
    const operations = audit.body.items.map((row: { operation: string }) => row.operation);
    expect(operations.filter((operation: string) => operation === 'DdiPoll').length).toBeGreaterThanOrEqual(4);
    expect(operations.filter((operation: string) => operation === 'DdiFeedback')).toHaveLength(2);
    expect(audit.body.items.find((row: { operation: string }) => row.operation === 'DdiFeedback').ddi).toMatchObject({
      actionId,
      execution: 'closed',
      finished: 'success',
    });
  });

  it("gives a device only its own actions: another device's action id is a 404", async () => {
    const theirs = await deploymentOf('gw-0002');
    await internal().get(`${base('gw-0003')}/deploymentBase/${theirs}`).set(device('gw-0003')).expect(404);
    await internal().post(`${base('gw-0003')}/deploymentBase/${theirs}/feedback`).set(device('gw-0003')).send(feedback('closed', 'failure')).expect(404);
    await internal().get(`${base('gw-0003')}/softwaremodules/${theirs}/artifacts/gateway-2.4.0.swu`).set(device('gw-0003')).expect(404);
    await internal().get(`${base('gw-0003')}/deploymentBase/not-a-number`).set(device('gw-0003')).expect(404);
    expect((await action(theirs!)).status).toBe('open');
  });

  it.each([
    ['not JSON', '{"status": ', 'application/json'],
    ['no status', JSON.stringify({ id: 1 }), 'application/json'],
    ['an unknown execution', JSON.stringify({ status: { execution: 'exploded' } }), 'application/json'],
    ['not JSON at all', 'closed', 'text/plain'],
  ])('refuses a feedback that is %s with a 4xx, never a 5xx', async (_, body, type) => {
    const actionId = await deploymentOf('gw-0002');
    const response = await internal().post(`${base('gw-0002')}/deploymentBase/${actionId}/feedback`).set(device('gw-0002')).set('Content-Type', type).send(body);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.body.errorCode).toBeDefined();
  });

  it('cancels an open action whose version the rule stops offering, and closes it on the acknowledgement', async () => {
    const id = 'gw-0003';
    await offer({ approved: '2.4.1', restore: '2.4.0' });
    const actionId = await deploymentOf(id);
    await offer({ approved: '2.4.0' });
    const { body } = await poll(id).expect(200);
    expect(body._links.deploymentBase).toBeUndefined();
    expect(body._links.cancelAction.href).toMatch(new RegExp(`/cancelAction/${actionId}$`));
    const cancellation = await internal().get(`${base(id)}/cancelAction/${actionId}`).set(device(id)).expect(200);
    expect(cancellation.body).toEqual({ id: actionId, cancelAction: { stopId: actionId } });
    await internal()
      .post(`${base(id)}/cancelAction/${actionId}/feedback`)
      .set(device(id))
      .send({ id: Number(actionId), time: '20261203T041500', status: { result: { finished: 'success' }, execution: 'closed', details: ['cancellation acknowledged.'] } })
      .expect(200);
    expect((await action(actionId!)).status).toBe('cancelled');
    // The version now offered is a new action.
    const next = await deploymentOf(id);
    expect(next).not.toBe(actionId);
    expect((await action(next!)).version).toBe('2.4.0');
  });

  it('keeps a failure: the version is not offered again until the rule changes or an administrator retries', async () => {
    const id = 'gw-fail';
    const failed = await deploymentOf(id);
    await internal().post(`${base(id)}/deploymentBase/${failed}/feedback`).set(device(id)).send(feedback('closed', 'failure')).expect(200);
    expect((await action(failed!)).status).toBe('failed');
    expect(await deploymentOf(id)).toBeNull();

    const listed = await internal().get(`/api/v1/ddi/actions?controllerId=${id}&status=failed`).set(admin()).expect(200);
    expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual([failed]);
    const retried = await internal().post(`/api/v1/ddi/actions/${failed}/retry`).set(admin()).expect(200);
    expect(retried.body).toMatchObject({ id: failed, status: 'failed', retriedAt: expect.any(String) });
    await internal().post(`/api/v1/ddi/actions/${failed}/retry`).set(admin()).expect(409);
    await internal().post(`/api/v1/ddi/actions/999999/retry`).set(admin()).expect(404);
    const again = await deploymentOf(id);
    expect(again).not.toBeNull();
    expect(again).not.toBe(failed);

    // A second failure, then a rule change (reset and approve again) offers it once more.
    await internal().post(`${base(id)}/deploymentBase/${again}/feedback`).set(device(id)).send(feedback('closed', 'failure')).expect(200);
    expect(await deploymentOf(id)).toBeNull();
    await offer({ approved: '2.4.0' });
    expect(await deploymentOf(id)).not.toBeNull();
  });

  it('offers a pending version to a test device (identifier type ControllerId) first', async () => {
    await internal()
      .post('/api/v1/test-devices')
      .set(admin())
      .send({ scope: 'global', name: 'lab gateway', identifierType: 'ControllerId', identifier: 'gw-test' })
      .expect(201);
    await offer({ approved: '2.4.0', pending: '2.4.2' });
    const tested = await deploymentOf('gw-test');
    expect((await action(tested!)).version).toBe('2.4.2');
    await register('gw-plain');
    const plain = await deploymentOf('gw-plain');
    expect((await action(plain!)).version).toBe('2.4.0');
  });

  it('lets the gateway token speak for an unknown device: asked for its attributes, registered by its configData', async () => {
    const gateway = { Authorization: `GatewayToken ${GATEWAY}` };
    const { body } = await internal().get(base('gw-new')).set(gateway).expect(200);
    expect(body._links).toEqual({ configData: { href: expect.stringMatching(/\/DEFAULT\/controller\/v1\/gw-new\/configData$/) } });
    await internal()
      .put(`${base('gw-new')}/configData`)
      .set(gateway)
      .send({ id: '', time: '20261203T041500', status: { result: { finished: 'success' }, execution: 'closed', details: [''] }, data: ATTRIBUTES })
      .expect(200);
    const after = await internal().get(base('gw-new')).set(gateway).expect(200);
    expect(after.body._links.deploymentBase).toBeDefined();
    await internal().get(`/api/v1/ddi/targets/gw-new`).set(admin()).expect(200);
    // A target token for a device the pool does not know is no token.
    await internal().get(base('gw-unknown')).set(device('gw-0001')).expect(401);
  });

  it('shows administrators each device: installed version, last poll, open action and results; lists by installed version and last seen', async () => {
    type Target = { lastPoll: { at: string; address: string } | null; lastSeenAt: string | null };
    const target = async (id: string) => (await internal().get(`/api/v1/ddi/targets/${id}`).set(admin()).expect(200)).body;
    const ids = (body: { items: { controllerId: string }[] }) => body.items.map((item) => item.controllerId);
    const actionsOf = async (id: string) =>
      (await dataSource.query(`SELECT id::text AS id, version, status FROM ddi_actions WHERE controller_id = $1 ORDER BY id DESC`, [id])) as {
        id: string;
        version: string;
        status: string;
      }[];

    // A poll from one address, then configData from another: the last poll is the poll's, the last seen the configData's.
    const before = new Date();
    await poll('gw-0001').set('X-Forwarded-For', '198.51.100.7').expect(200);
    const polled = await waitFor('the poll in the request audit', 10_000, async () => {
      const shown: Target = await target('gw-0001');
      return shown.lastPoll?.address === '198.51.100.7' && shown;
    });
    expect(new Date(polled.lastPoll!.at).getTime()).toBeGreaterThanOrEqual(before.getTime() - 1);
    const seenFrom = new Date();
    await internal()
      .put(`${base('gw-0001')}/configData`)
      .set(device('gw-0001'))
      .set('X-Forwarded-For', '198.51.100.8')
      .send({ id: '', time: '20261203T041500', status: { result: { finished: 'success' }, execution: 'closed', details: [''] }, data: ATTRIBUTES })
      .expect(200);
    const seen = await waitFor('the configData in the inventory', 10_000, async () => {
      const shown: Target = await target('gw-0001');
      return shown.lastSeenAt !== null && new Date(shown.lastSeenAt).getTime() >= seenFrom.getTime() - 1 && shown;
    });
    const [installedAction] = await actionsOf('gw-0001');
    expect(seen).toEqual({
      controllerId: 'gw-0001',
      attributes: ATTRIBUTES,
      registeredBy: 'bootstrap',
      tokenIssuedAt: expect.any(String),
      createdAt: expect.any(String),
      installed: [{ updateType: 'os', version: '2.4.0' }],
      lastSeenAt: expect.any(String),
      lastPoll: { at: polled.lastPoll!.at, nodeId: 'test-node', address: '198.51.100.7' },
      openAction: null,
      results: [
        {
          actionId: installedAction.id,
          updateType: 'os',
          version: '2.4.0',
          status: 'succeeded',
          execution: 'closed',
          finished: 'success',
          details: ['a detail'],
          time: '20261203T041500',
          at: expect.any(String),
        },
      ],
    });

    // A device with an open action, and results of a cancellation: the open one, then what it reported, newest first.
    const [open, cancelled] = await actionsOf('gw-0003');
    const cancelling = await target('gw-0003');
    expect(cancelling.openAction).toEqual({ id: open.id, updateType: 'os', version: open.version, status: 'open', createdAt: expect.any(String) });
    expect(cancelling.results).toEqual([expect.objectContaining({ actionId: cancelled.id, status: 'cancelled', execution: 'closed', finished: 'success' })]);
    const failing = await target('gw-fail');
    const failed = (await actionsOf('gw-fail')).filter((row) => row.status === 'failed').map((row) => row.id);
    expect(failing.results.map((result: { actionId: string; finished: string }) => [result.actionId, result.finished])).toEqual(
      failed.map((id) => [id, 'failure']),
    );
    expect(failing.openAction).toMatchObject({ status: 'open' });
    await internal().get('/api/v1/ddi/targets/no-such-device').set(admin()).expect(404);

    // The list: each item with its summary (no results), filtered by installed version and last seen, page by page.
    const listed = await internal().get('/api/v1/ddi/targets').set(admin()).expect(200);
    const item = listed.body.items.find((each: { controllerId: string }) => each.controllerId === 'gw-0003');
    const { results: _, ...summary } = cancelling;
    expect(item).toEqual(summary);
    const byVersion = await internal().get('/api/v1/ddi/targets').query({ installedVersion: '2.4.0' }).set(admin()).expect(200);
    expect(ids(byVersion.body)).toEqual(['gw-0001']);
    await internal().get('/api/v1/ddi/targets').query({ installedVersion: '2.4.1' }).set(admin()).expect(200, { items: [], nextCursor: null });
    const recent = await internal().get('/api/v1/ddi/targets').query({ seenSince: seenFrom.toISOString() }).set(admin()).expect(200);
    expect(ids(recent.body)).toEqual(['gw-0001']);
    const all = await internal().get('/api/v1/ddi/targets').query({ seenSince: '2000-01-01T00:00:00Z' }).set(admin()).expect(200);
    expect(ids(all.body)).toEqual(expect.arrayContaining(['gw-0001', 'gw-0002', 'gw-0003', 'gw-fail', 'gw-test', 'gw-new']));
    const first = await internal().get('/api/v1/ddi/targets').query({ seenSince: '2000-01-01T00:00:00Z', limit: 2 }).set(admin()).expect(200);
    const second = await internal()
      .get('/api/v1/ddi/targets')
      .query({ seenSince: '2000-01-01T00:00:00Z', limit: 2, cursor: first.body.nextCursor })
      .set(admin())
      .expect(200);
    expect([...ids(first.body), ...ids(second.body)]).toEqual(ids(all.body).slice(0, 4));
    await internal().get('/api/v1/ddi/targets').query({ installedVersion: '' }).set(admin()).expect(400);
    await internal().get('/api/v1/ddi/targets').query({ seenSince: 'yesterday' }).set(admin()).expect(400);
  });

  it('throttles wrong tokens pool-wide (429 with Retry-After), whatever token comes next', async () => {
    const id = 'gw-0002';
    for (let attempt = 0; attempt < 10; attempt++) {
      await internal().get(base(id)).set({ Authorization: 'TargetToken wrong-token' }).set('X-Forwarded-For', '203.0.113.9').expect(401);
    }
    const throttled = await internal().get(base(id)).set(device(id)).expect(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
  });
});
