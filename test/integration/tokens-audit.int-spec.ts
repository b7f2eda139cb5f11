import { AdminAuditSubject1797100000000 } from '../../libs/database/src/migrations/1797100000000-admin-audit-subject';
import type request from 'supertest';
import { hashToken } from '../../apps/frontend/src/auth/token-hash';
import { useTestFrontend } from '../support/harness';

describe('tokens and the admin audit (/api/v1/tokens, /api/v1/audit/admin)', () => {
  const context = useTestFrontend(__filename);
  const api = () => context.internal();
  const { as } = context;
  const token = (value: string) => ({ Authorization: `Bearer ${value}` });

  it('makes a token, shown once and stored only as a hash, that then works with its role', async () => {
    const created = await api().post('/api/v1/tokens').set(as('admin')).send({ name: 'helpdesk', role: 'viewer' }).expect(201);
    expect(created.body).toMatchObject({ id: expect.any(String), name: 'helpdesk', role: 'viewer', token: expect.stringMatching(/^ucu_/) });
    const rows = await context.dataSource.query(`SELECT token_hash FROM admin_tokens WHERE id = $1`, [created.body.id]);
    expect(rows).toEqual([{ token_hash: hashToken(created.body.token) }]);
    await api().get('/api/v1/nodes').set(token(created.body.token)).expect(200);
    await api().post('/api/v1/tokens').set(token(created.body.token)).send({ name: 'x', role: 'admin' }).expect(403);
    const used = await api().get('/api/v1/tokens').set(as('admin')).expect(200);
    const helpdesk = used.body.items.find((token: { name: string }) => token.name === 'helpdesk');
    expect(Date.now() - Date.parse(helpdesk.lastUsedAt)).toBeLessThan(10_000);
    const listed = await api().get('/api/v1/tokens').set(as('admin')).expect(200);
    expect(listed.body.items.map((token: { name: string }) => token.name)).toEqual(['bootstrap', 'operator', 'viewer', 'helpdesk']);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
  });

  it('refuses a bad token request with 400 naming the field', async () => {
    const role = await api().post('/api/v1/tokens').set(as('admin')).send({ name: 'x', role: 'root' }).expect(400);
    expect(role.body.error.details.field).toBe('role');
    const unknown = await api().post('/api/v1/tokens').set(as('admin')).send({ name: 'x', role: 'viewer', extra: 1 }).expect(400);
    expect(unknown.body.error.message).toMatch(/extra/);
    const name = await api().post('/api/v1/tokens').set(as('admin')).send({ name: '', role: 'viewer' }).expect(400);
    expect(name.body.error.details.field).toBe('name');
  });

  it('pages without losing tokens made within the same millisecond', async () => {
    for (const [index, micros] of ['000100', '000200', '000300'].entries()) {
      await context.dataSource.query(
        `INSERT INTO admin_tokens (name, role, token_hash, created_at) VALUES ($1, 'viewer', $2, '2030-01-01 00:00:00.${micros}+00')`,
        [`same-ms-${index}`, hashToken(`same-ms-token-${index}-0123456789`)],
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await api()
        .get(`/api/v1/tokens?limit=1${cursor ? `&cursor=${cursor}` : ''}`)
        .set(as('admin'))
        .expect(200);
      seen.push(...page.body.items.map((token: { name: string }) => token.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.filter((name) => name.startsWith('same-ms-'))).toEqual(['same-ms-0', 'same-ms-1', 'same-ms-2']);
    await context.dataSource.query(`DELETE FROM admin_tokens WHERE name LIKE 'same-ms-%'`);
  });

  it('deletes a token: it stops working at once', async () => {
    const created = await api().post('/api/v1/tokens').set(as('admin')).send({ name: 'temporary', role: 'operator' }).expect(201);
    await api().delete(`/api/v1/tokens/${created.body.id}`).set(as('admin')).expect(204);
    await api().get('/api/v1/nodes').set(token(created.body.token)).expect(401);
    await api().delete(`/api/v1/tokens/${created.body.id}`).set(as('admin')).expect(404);
  });

  it('lists the admin audit newest first, filtered and paged, never with a token value', async () => {
    const all = await api().get('/api/v1/audit/admin').set(as('admin')).expect(200);
    expect(all.body.items.map((row: { action: string }) => row.action)).toEqual([
      'token.delete',
      'token.create',
      'token.create',
    ]);
    expect(all.body.items[0]).toMatchObject({ actor: 'bootstrap', role: 'admin', nodeId: 'test-node', after: null });
    const creates = await api().get('/api/v1/audit/admin?action=token.create&limit=1').set(as('admin')).expect(200);
    expect(creates.body.items).toHaveLength(1);
    const next = await api().get(`/api/v1/audit/admin?action=token.create&limit=1&cursor=${creates.body.nextCursor}`).set(as('admin')).expect(200);
    expect(next.body.items[0].after.name).toBe('helpdesk');
    expect(next.body.nextCursor).toBeNull();
    const future = await api().get('/api/v1/audit/admin?since=2999-01-01T00:00:00Z').set(as('admin')).expect(200);
    expect(future.body.items).toEqual([]);
    expect((await api().get('/api/v1/audit/admin?since=yesterday').set(as('admin')).expect(400)).body.error.details.field).toBe('since');
  });

  it('names each change as administrators know it, recorded with the change, so it stays after the thing is gone', async () => {
    const { dataSource } = context;
    const [rule] = await dataSource.query(
      `INSERT INTO rules (device_type, brand, model, revision, locale, update_type, approved_version, pending_version, pending_at)
       VALUES ('UCPhone', 'Polycom', 'CX600', 'A', 'ENU', 'CPE', '4.0.7577.100', '4.0.7577.200', now()) RETURNING id`,
    );
    await api().post(`/api/v1/rules/${rule.id}/approve`).set(as('admin')).expect(200);
    await api().delete(`/api/v1/rules/${rule.id}`).set(as('admin')).expect(204);
    const device = await api()
      .post('/api/v1/test-devices')
      .set(as('admin'))
      .send({ scope: 'site:Redmond', name: 'Lobby phone', identifierType: 'MACAddress', identifier: '00-04-F2-00-00-01' })
      .expect(201);
    await api().patch(`/api/v1/test-devices/${device.body.id}`).set(as('admin')).send({ name: 'Lobby phone 2' }).expect(200);
    await api().delete(`/api/v1/test-devices/${device.body.id}`).set(as('admin')).expect(204);
    await api()
      .post('/api/v1/ddi/targets')
      .set(as('admin'))
      .send({ controllerId: 'room-42', attributes: { vendor: 'Acme', model: 'Room', hwRevision: '1' } })
      .expect(201);
    await api().delete('/api/v1/ddi/targets/room-42').set(as('admin')).expect(204);
    await dataSource.query(
      `INSERT INTO pool_nodes (id, url, app_version, frontend_heartbeat_at) VALUES ('old-node', 'http://10.0.0.9:8000', '1', now() - interval '1 day')`,
    );
    await api().delete('/api/v1/nodes/old-node').set(as('admin')).expect(204);
    await api().put('/api/v1/configuration/site:Redmond').set(as('admin')).send({ maxLogFileSize: 2048000 }).expect(200);

    const named = await api().get('/api/v1/audit/admin?limit=1000').set(as('admin')).expect(200);
    const subjects = named.body.items.map((row: { action: string; subject: string | null }) => [row.action, row.subject]);
    expect(subjects).toEqual([
      ['configuration.set', 'site:Redmond'],
      ['node.remove', 'old-node (http://10.0.0.9:8000)'],
      ['ddiTarget.delete', 'room-42'],
      ['ddiTarget.create', 'room-42'],
      ['testDevice.delete', 'site:Redmond/Lobby phone 2'],
      ['testDevice.update', 'site:Redmond/Lobby phone 2'],
      ['testDevice.create', 'site:Redmond/Lobby phone'],
      ['rule.remove', 'UCPhone/Polycom/CX600/A/ENU/CPE'],
      ['rule.approve', 'UCPhone/Polycom/CX600/A/ENU/CPE'],
      ['token.delete', 'temporary'],
      ['token.create', 'temporary'],
      ['token.create', 'helpdesk'],
    ]);
    expect(named.body.items.find((row: { action: string }) => row.action === 'rule.approve').target).toBe(`rule/${rule.id}`);
    const byRule = await api().get('/api/v1/audit/admin?subject=ucphone/polycom/cx600/a/enu/cpe').set(as('viewer')).expect(200);
    expect(byRule.body.items.map((row: { action: string }) => row.action)).toEqual(['rule.remove', 'rule.approve']);

    // Rows written before subjects were kept are named by the migration from what they hold.
    const migration = new AdminAuditSubject1797100000000();
    const runner = dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    const backfilled = await api().get('/api/v1/audit/admin?limit=1000').set(as('admin')).expect(200);
    expect(backfilled.body.items.map((row: { action: string; subject: string | null }) => [row.action, row.subject])).toEqual(subjects);
  });
});
