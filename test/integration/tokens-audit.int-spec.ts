import type { Config } from '@ucupdates/config';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { hashToken } from '../../apps/frontend/src/auth/token-hash';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { prepareServices, startTestFrontend } from '../support/harness';
import { suiteResources, testConfig } from '../support/test-environment';

const suite = suiteResources(__filename);

const ADMIN = 'tokens-admin-token-0123456789';

describe('tokens and the admin audit (/api/v1/tokens, /api/v1/audit/admin)', () => {
  let config: Config;
  let frontend: Frontend;
  let dataSource: DataSource;
  const api = () => request(frontend.internal.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    config = testConfig({ DATABASE_URL: await suite.recreateDatabase(), REDIS_URL: suite.redisUrl, UCU_BOOTSTRAP_ADMIN_TOKEN: ADMIN });
    await prepareServices(config);
    frontend = await startTestFrontend(config);
    dataSource = frontend.core.get(DataSource);
  });

  afterAll(async () => {
    await frontend?.close();
  });

  it('makes a token, shown once and stored only as a hash, that then works with its role', async () => {
    const created = await api().post('/api/v1/tokens').set(as(ADMIN)).send({ name: 'helpdesk', role: 'viewer' }).expect(201);
    expect(created.body).toMatchObject({ id: expect.any(String), name: 'helpdesk', role: 'viewer', token: expect.stringMatching(/^ucu_/) });
    const rows = await dataSource.query(`SELECT token_hash FROM admin_tokens WHERE id = $1`, [created.body.id]);
    expect(rows).toEqual([{ token_hash: hashToken(created.body.token) }]);
    await api().get('/api/v1/nodes').set(as(created.body.token)).expect(200);
    await api().post('/api/v1/tokens').set(as(created.body.token)).send({ name: 'x', role: 'admin' }).expect(403);
    const used = await api().get('/api/v1/tokens').set(as(ADMIN)).expect(200);
    const helpdesk = used.body.items.find((token: { name: string }) => token.name === 'helpdesk');
    expect(Date.now() - Date.parse(helpdesk.lastUsedAt)).toBeLessThan(10_000);
    const listed = await api().get('/api/v1/tokens').set(as(ADMIN)).expect(200);
    expect(listed.body.items.map((token: { name: string }) => token.name)).toEqual(['bootstrap', 'helpdesk']);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
  });

  it('refuses a bad token request with 400 naming the field', async () => {
    const role = await api().post('/api/v1/tokens').set(as(ADMIN)).send({ name: 'x', role: 'root' }).expect(400);
    expect(role.body.error.details.field).toBe('role');
    const unknown = await api().post('/api/v1/tokens').set(as(ADMIN)).send({ name: 'x', role: 'viewer', extra: 1 }).expect(400);
    expect(unknown.body.error.message).toMatch(/extra/);
    const name = await api().post('/api/v1/tokens').set(as(ADMIN)).send({ name: '', role: 'viewer' }).expect(400);
    expect(name.body.error.details.field).toBe('name');
  });

  it('pages without losing tokens made within the same millisecond', async () => {
    for (const [index, micros] of ['000100', '000200', '000300'].entries()) {
      await dataSource.query(
        `INSERT INTO admin_tokens (name, role, token_hash, created_at) VALUES ($1, 'viewer', $2, '2030-01-01 00:00:00.${micros}+00')`,
        [`same-ms-${index}`, hashToken(`same-ms-token-${index}-0123456789`)],
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await api()
        .get(`/api/v1/tokens?limit=1${cursor ? `&cursor=${cursor}` : ''}`)
        .set(as(ADMIN))
        .expect(200);
      seen.push(...page.body.items.map((token: { name: string }) => token.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.filter((name) => name.startsWith('same-ms-'))).toEqual(['same-ms-0', 'same-ms-1', 'same-ms-2']);
    await dataSource.query(`DELETE FROM admin_tokens WHERE name LIKE 'same-ms-%'`);
  });

  it('deletes a token: it stops working at once', async () => {
    const created = await api().post('/api/v1/tokens').set(as(ADMIN)).send({ name: 'temporary', role: 'operator' }).expect(201);
    await api().delete(`/api/v1/tokens/${created.body.id}`).set(as(ADMIN)).expect(204);
    await api().get('/api/v1/nodes').set(as(created.body.token)).expect(401);
    await api().delete(`/api/v1/tokens/${created.body.id}`).set(as(ADMIN)).expect(404);
  });

  it('lists the admin audit newest first, filtered and paged, never with a token value', async () => {
    const all = await api().get('/api/v1/audit/admin').set(as(ADMIN)).expect(200);
    expect(all.body.items.map((row: { action: string }) => row.action)).toEqual([
      'token.delete',
      'token.create',
      'token.create',
    ]);
    expect(all.body.items[0]).toMatchObject({ actor: 'bootstrap', role: 'admin', nodeId: 'test-node', after: null });
    const creates = await api().get('/api/v1/audit/admin?action=token.create&limit=1').set(as(ADMIN)).expect(200);
    expect(creates.body.items).toHaveLength(1);
    const next = await api().get(`/api/v1/audit/admin?action=token.create&limit=1&cursor=${creates.body.nextCursor}`).set(as(ADMIN)).expect(200);
    expect(next.body.items[0].after.name).toBe('helpdesk');
    expect(next.body.nextCursor).toBeNull();
    const future = await api().get('/api/v1/audit/admin?since=2999-01-01T00:00:00Z').set(as(ADMIN)).expect(200);
    expect(future.body.items).toEqual([]);
    expect((await api().get('/api/v1/audit/admin?since=yesterday').set(as(ADMIN)).expect(400)).body.error.details.field).toBe('since');
  });
});
