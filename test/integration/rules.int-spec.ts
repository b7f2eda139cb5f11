import { AsyncLocalStorage } from 'node:async_hooks';
import type { Config } from '@ucupdates/config';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { RulesService } from '../../apps/frontend/src/admin/rules/rules.service';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { useTestFrontend } from '../support/harness';

describe('rules (GET, approve, reset, restore, DELETE /api/v1/rules)', () => {
  const app = useTestFrontend(__filename, { settings: { UCU_POOL_FQDN: 'pool.contoso.com' } });
  const OPERATOR = app.tokens.operator;
  const VIEWER = app.tokens.viewer;
  const ADMIN = app.tokens.admin;
  let config: Config;
  let frontend: Frontend;
  let dataSource: DataSource;
  const api = () => request(frontend.internal.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  async function seedRule(model: string, versions: { approved?: string; pending?: string; restore?: string }): Promise<string> {
    const [{ id }] = await dataSource.query(
      `INSERT INTO rules (device_type, brand, model, revision, locale, update_type, approved_version, pending_version,
                          restore_version, approved_at, pending_at)
       VALUES ('UCPhone', 'Polycom', $1, 'A', 'ENU', 'CPE', $2::varchar, $3::varchar, $4::varchar,
               CASE WHEN $2::varchar IS NULL THEN NULL ELSE now() END, CASE WHEN $3::varchar IS NULL THEN NULL ELSE now() END)
       RETURNING id`,
      [model, versions.approved ?? null, versions.pending ?? null, versions.restore ?? null],
    );
    return id;
  }

  beforeAll(() => void ({ config, frontend, dataSource } = app));

  it('shows a rule with its Lync identity, versions and replication', async () => {
    const id = await seedRule('CX600', { approved: '1.0', pending: '1.1' });
    const [{ id: versionId }] = await dataSource.query(`INSERT INTO update_versions (rule_id, version) VALUES ($1, '1.1') RETURNING id`, [id]);
    await dataSource.query(`INSERT INTO files (sha256, size) VALUES ($1, 10)`, ['a'.repeat(64)]);
    await dataSource.query(`INSERT INTO update_version_files (update_version_id, name, role, sha256) VALUES ($1, 'CPE.nbt', 'image', $2)`, [
      versionId,
      'a'.repeat(64),
    ]);
    const response = await api().get(`/api/v1/rules/${id}`).set(as(VIEWER)).expect(200);
    expect(response.body).toMatchObject({
      id,
      identity: `service:WebServer:pool.contoso.com/${id}`,
      deviceType: 'UCPhone',
      brand: 'Polycom',
      model: 'CX600',
      approvedVersion: '1.0',
      pendingVersion: '1.1',
      restoreVersion: null,
      // This node is active and holds none of the pending version's files; the approved one has none.
      replication: { pending: 'partial', approved: 'complete' },
    });
  });

  it('filters case-insensitively with * wildcards, and pages in key order', async () => {
    await seedRule('CX700', {});
    await seedRule('LX100', {});
    const names = async (query: string) =>
      (await api().get(`/api/v1/rules${query}`).set(as(VIEWER)).expect(200)).body.items.map((rule: { model: string }) => rule.model);
    expect(await names('?model=cx*')).toEqual(['CX600', 'CX700']);
    expect(await names('?model=cx6*&brand=POLYCOM&locale=enu')).toEqual(['CX600']);
    expect(await names('?model=%25')).toEqual([]); // a literal %, not a wildcard
    const first = await api().get('/api/v1/rules?limit=2').set(as(VIEWER)).expect(200);
    expect(first.body.items.map((rule: { model: string }) => rule.model)).toEqual(['CX600', 'CX700']);
    const second = await api().get(`/api/v1/rules?limit=2&cursor=${first.body.nextCursor}`).set(as(VIEWER)).expect(200);
    expect(second.body.items.map((rule: { model: string }) => rule.model)).toEqual(['LX100']);
    expect(second.body.nextCursor).toBeNull();
  });

  it('approves: pending becomes approved, approved becomes restore, with an audit row; again is 409 NoPendingVersion', async () => {
    const id = await seedRule('A1', { approved: '1.0', pending: '2.0' });
    const approved = await api().post(`/api/v1/rules/${id}/approve`).set(as(OPERATOR)).expect(200);
    expect(approved.body).toMatchObject({ approvedVersion: '2.0', pendingVersion: null, restoreVersion: '1.0' });
    const [audit] = await dataSource.query(`SELECT actor, role, action, before, after FROM admin_audit WHERE target = $1`, [`rule/${id}`]);
    expect(audit).toMatchObject({
      actor: 'operator',
      role: 'operator',
      action: 'rule.approve',
      before: { approvedVersion: '1.0', pendingVersion: '2.0' },
      after: { approvedVersion: '2.0', pendingVersion: null, restoreVersion: '1.0' },
    });
    const again = await api().post(`/api/v1/rules/${id}/approve`).set(as(OPERATOR)).expect(409);
    expect(again.body.error.code).toBe('NoPendingVersion');
  });

  it('refuses to approve 409 NotReplicated while an active node lacks a file of the pending version, unless forced', async () => {
    const id = await seedRule('G1', { approved: '1.0', pending: '2.0' });
    const [{ id: versionId }] = await dataSource.query(`INSERT INTO update_versions (rule_id, version) VALUES ($1, '2.0') RETURNING id`, [id]);
    const sha = 'b'.repeat(64);
    await dataSource.query(`INSERT INTO files (sha256, size) VALUES ($1, 10) ON CONFLICT DO NOTHING`, [sha]);
    await dataSource.query(`INSERT INTO update_version_files (update_version_id, name, role, sha256) VALUES ($1, 'G.nbt', 'image', $2)`, [
      versionId,
      sha,
    ]);
    const refused = await api().post(`/api/v1/rules/${id}/approve`).set(as(OPERATOR)).expect(409);
    expect(refused.body.error).toMatchObject({ code: 'NotReplicated', details: { version: '2.0', nodes: { [config.UCU_NODE_ID]: ['G.nbt'] } } });
    expect(await dataSource.query(`SELECT 1 FROM admin_audit WHERE target = $1`, [`rule/${id}`])).toEqual([]);
    await api().post(`/api/v1/rules/${id}/approve?force=maybe`).set(as(OPERATOR)).expect(400);

    // Once this node holds the file, the approval goes through.
    await dataSource.query(`INSERT INTO replicas (node_id, sha256, state) VALUES ($1, $2, 'ready')`, [config.UCU_NODE_ID, sha]);
    expect((await api().get(`/api/v1/rules/${id}`).set(as(VIEWER)).expect(200)).body.replication.pending).toBe('complete');
    await api().post(`/api/v1/rules/${id}/approve`).set(as(OPERATOR)).expect(200);

    // A forced approval goes through without it, and its audit row says it was forced.
    const forcedRule = await seedRule('G2', { approved: '1.0', pending: '2.0' });
    const [{ id: forcedVersion }] = await dataSource.query(`INSERT INTO update_versions (rule_id, version) VALUES ($1, '2.0') RETURNING id`, [
      forcedRule,
    ]);
    await dataSource.query(`INSERT INTO update_version_files (update_version_id, name, role, sha256) VALUES ($1, 'G.nbt', 'image', $2)`, [
      forcedVersion,
      'a'.repeat(64),
    ]);
    await api().post(`/api/v1/rules/${forcedRule}/approve`).set(as(OPERATOR)).expect(409);
    await api().post(`/api/v1/rules/${forcedRule}/approve?force=true`).set(as(OPERATOR)).expect(200);
    const [audit] = await dataSource.query(`SELECT after FROM admin_audit WHERE target = $1`, [`rule/${forcedRule}`]);
    expect(audit.after).toMatchObject({ approvedVersion: '2.0', forced: true });
  });

  it('resets the pending version, or answers 409 NoPendingVersion', async () => {
    const id = await seedRule('R1', { approved: '1.0', pending: '2.0' });
    const reset = await api().post(`/api/v1/rules/${id}/reset`).set(as(OPERATOR)).expect(200);
    expect(reset.body).toMatchObject({ approvedVersion: '1.0', pendingVersion: null });
    expect((await api().post(`/api/v1/rules/${id}/reset`).set(as(OPERATOR)).expect(409)).body.error.code).toBe('NoPendingVersion');
  });

  it('restores the previous version, then none, then answers 409 NothingToRestore', async () => {
    const id = await seedRule('S1', { approved: '2.0', restore: '1.0' });
    expect((await api().post(`/api/v1/rules/${id}/restore`).set(as(OPERATOR)).expect(200)).body).toMatchObject({
      approvedVersion: '1.0',
      restoreVersion: null,
    });
    expect((await api().post(`/api/v1/rules/${id}/restore`).set(as(OPERATOR)).expect(200)).body.approvedVersion).toBeNull();
    const [{ rolled_back_version }] = await dataSource.query(`SELECT rolled_back_version FROM rules WHERE id = $1`, [id]);
    expect(rolled_back_version).toBe('1.0');
    expect((await api().post(`/api/v1/rules/${id}/restore`).set(as(OPERATOR)).expect(409)).body.error.code).toBe('NothingToRestore');
  });

  it('removes a rule (204, then 404) with an audit row of what it was', async () => {
    const id = await seedRule('D1', { approved: '1.0' });
    await api().delete(`/api/v1/rules/${id}`).set(as(ADMIN)).expect(204);
    await api().get(`/api/v1/rules/${id}`).set(as(VIEWER)).expect(404);
    const [audit] = await dataSource.query(`SELECT action, before, after FROM admin_audit WHERE target = $1`, [`rule/${id}`]);
    expect(audit).toMatchObject({ action: 'rule.remove', before: { model: 'D1', approvedVersion: '1.0' }, after: null });
  });

  it('lets viewers read but not change (403), and answers bad ids 400 and unknown ones 404', async () => {
    const id = await seedRule('V1', { pending: '1.0' });
    await api().post(`/api/v1/rules/${id}/approve`).set(as(VIEWER)).expect(403);
    await api().delete(`/api/v1/rules/${id}`).set(as(VIEWER)).expect(403);
    expect((await api().get('/api/v1/rules/nope').set(as(VIEWER)).expect(400)).body.error.details.field).toBe('id');
    await api().post('/api/v1/rules/00000000-0000-4000-8000-000000000000/approve').set(as(OPERATOR)).expect(404);
    expect((await api().get('/api/v1/rules?model=').set(as(VIEWER)).expect(400)).body.error.details.field).toBe('model');
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM admin_audit WHERE target = $1`, [`rule/${id}`]);
    expect(n).toBe(0);
  });

  it('lists a page of 1,000 rules with their replication in at most 3 statements', async () => {
    // 1,000 rules, each with an approved and a pending version of two files. This node holds every
    // file of the approved versions, and of the pending versions of every other rule.
    await dataSource.query(
      `INSERT INTO rules (device_type, brand, model, revision, locale, update_type, approved_version, pending_version, approved_at, pending_at)
       SELECT 'CountPhone', 'Polycom', 'N' || lpad(i::text, 4, '0'), 'A', 'ENU', 'CPE', '1.0', '2.0', now(), now()
         FROM generate_series(0, 999) AS i`,
    );
    await dataSource.query(
      `INSERT INTO update_versions (rule_id, version)
       SELECT r.id, v.version FROM rules r CROSS JOIN (VALUES ('1.0'), ('2.0')) AS v(version) WHERE r.device_type = 'CountPhone'`,
    );
    const FILES = `SELECT v.id AS version_id, v.version, r.model, f.name, f.role,
                          encode(sha256(convert_to(r.model || '/' || v.version || '/' || f.name, 'UTF8')), 'hex') AS sha256
                     FROM update_versions v JOIN rules r ON r.id = v.rule_id
                    CROSS JOIN (VALUES ('CPE.nbt', 'image'), ('CPE.cat', 'catalog')) AS f(name, role)
                    WHERE r.device_type = 'CountPhone'`;
    await dataSource.query(`INSERT INTO files (sha256, size) SELECT sha256, 10 FROM (${FILES}) f`);
    await dataSource.query(
      `INSERT INTO update_version_files (update_version_id, name, role, sha256) SELECT version_id, name, role, sha256 FROM (${FILES}) f`,
    );
    await dataSource.query(
      `INSERT INTO replicas (node_id, sha256, state)
       SELECT $1, sha256, 'ready' FROM (${FILES}) f WHERE version = '1.0' OR substr(model, 2)::int % 2 = 0`,
      [config.UCU_NODE_ID],
    );

    // Every statement the data source sends while the page is made, counted where TypeORM hands
    // it to the pg driver; only this call's (the frontend's heartbeat and reloads run meanwhile).
    const statements: string[] = [];
    const context = new AsyncLocalStorage<string[]>();
    const logQuery = dataSource.logger.logQuery.bind(dataSource.logger);
    const spy = jest.spyOn(dataSource.logger, 'logQuery').mockImplementation((query, parameters, runner) => {
      context.getStore()?.push(query);
      logQuery(query, parameters, runner);
    });
    try {
      const rules = frontend.internal.get(RulesService);
      const page = await context.run(statements, () => rules.list({ deviceType: 'CountPhone' }, 1000));
      expect(page.items).toHaveLength(1000);
      expect(page.nextCursor).toBeNull();
      expect(page.items[0]).toMatchObject({ model: 'N0000', replication: { pending: 'complete', approved: 'complete' } });
      expect(page.items[1]).toMatchObject({ model: 'N0001', replication: { pending: 'partial', approved: 'complete' } });
      expect(page.items.filter((rule) => rule.replication.pending === 'partial')).toHaveLength(500);
      expect(statements.length).toBeGreaterThan(0);
      expect(statements.length).toBeLessThanOrEqual(3);

      // The admin API answers the same page.
      const listed = await api().get('/api/v1/rules?deviceType=CountPhone&limit=1000').set(as(VIEWER)).expect(200);
      expect(listed.body.items).toEqual(JSON.parse(JSON.stringify(page.items)));
    } finally {
      spy.mockRestore();
    }
  });
});
