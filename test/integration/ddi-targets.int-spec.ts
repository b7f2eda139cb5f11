import { DdiTargetsRepository } from '@ucupdates/database';
import { hashToken } from '../../apps/frontend/src/auth/token-hash';
import { useTestFrontend } from '../support/harness';

const GATEWAY = { vendor: 'Contoso', model: 'Gateway-1', hwRevision: '1.0' };

describe('DDI targets (/api/v1/ddi/targets)', () => {
  const app = useTestFrontend(__filename);
  const OPERATOR = app.tokens.operator;
  const VIEWER = app.tokens.viewer;
  const api = () => app.internal();
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const register = (body: unknown, token = OPERATOR) => api().post('/api/v1/ddi/targets').set(as(token)).send(body as object);
  let targets: DdiTargetsRepository;

  beforeAll(() => {
    targets = app.frontend.core.get(DdiTargetsRepository);
  });

  it('registers a device, shows its token once, keeps only its hash, and finds the device by it', async () => {
    const created = await register({ controllerId: 'gw-0001', attributes: { ...GATEWAY, locale: 'ENU' } }).expect(201);
    expect(created.body).toEqual({
      controllerId: 'gw-0001',
      attributes: { ...GATEWAY, locale: 'ENU' },
      registeredBy: 'operator',
      tokenIssuedAt: expect.any(String),
      createdAt: expect.any(String),
      // A device that never spoke to the pool: nothing installed, never seen, no action.
      installed: [],
      lastSeenAt: null,
      lastPoll: null,
      openAction: null,
      token: expect.stringMatching(/^ucu_[A-Za-z0-9_-]{43}$/),
    });
    const [row] = await app.dataSource.query(`SELECT token_hash FROM ddi_targets WHERE controller_id = 'gw-0001'`);
    expect(row.token_hash).toBe(hashToken(created.body.token));
    expect((await targets.byTokenHash(hashToken(created.body.token)))?.controllerId).toBe('gw-0001');
    expect(await targets.byTokenHash(hashToken('ucu_not-a-token'))).toBeNull();

    const shown = await api().get('/api/v1/ddi/targets/gw-0001').set(as(VIEWER)).expect(200);
    const { token: _, ...view } = created.body;
    expect(shown.body).toEqual({ ...view, results: [] });
    const [audit] = await app.dataSource.query(`SELECT actor, action, target, before, after FROM admin_audit WHERE action = 'ddiTarget.create'`);
    expect(audit).toMatchObject({ actor: 'operator', target: 'ddiTarget/gw-0001', before: null, after: { controllerId: 'gw-0001' } });
    expect(JSON.stringify(audit)).not.toContain(created.body.token);
  });

  it('refuses a controller id already registered with 409, whatever the attributes', async () => {
    await register({ controllerId: 'gw-dup', attributes: GATEWAY }).expect(201);
    const again = await register({ controllerId: 'gw-dup', attributes: { ...GATEWAY, model: 'Other' } }).expect(409);
    expect(again.body.error).toMatchObject({ code: 'DuplicateTarget', details: { field: 'controllerId' } });
    expect((await api().get('/api/v1/ddi/targets/gw-dup').set(as(VIEWER)).expect(200)).body.attributes.model).toBe('Gateway-1');
  });

  it.each([
    ['a controller id with a slash', { controllerId: 'gw/1', attributes: GATEWAY }, 'controllerId'],
    ['a controller id of 65 characters', { controllerId: 'g'.repeat(65), attributes: GATEWAY }, 'controllerId'],
    ['no vendor', { controllerId: 'gw-x', attributes: { model: 'M', hwRevision: '1' } }, 'attributes.vendor'],
    ['a model no rule could hold', { controllerId: 'gw-x', attributes: { ...GATEWAY, model: 'Gateway 1' } }, 'attributes.model'],
    ['an unknown attribute', { controllerId: 'gw-x', attributes: { ...GATEWAY, colour: 'red' } }, 'attributes.colour'],
    ['an unknown field', { controllerId: 'gw-x', attributes: GATEWAY, token: 'mine' }, 'token'],
  ])('refuses %s with 400 naming the field', async (_, body, field) => {
    const refused = await register(body).expect(400);
    expect(refused.body.error.details.field).toBe(field);
  });

  it('issues a new token: shown once, the old one stops working at once', async () => {
    const created = await register({ controllerId: 'gw-renew', attributes: GATEWAY }).expect(201);
    const renewed = await api().post('/api/v1/ddi/targets/gw-renew/token').set(as(OPERATOR)).expect(200);
    expect(renewed.body).toMatchObject({ controllerId: 'gw-renew', token: expect.stringMatching(/^ucu_/) });
    expect(renewed.body.token).not.toBe(created.body.token);
    expect(await targets.byTokenHash(hashToken(created.body.token))).toBeNull();
    expect((await targets.byTokenHash(hashToken(renewed.body.token)))?.controllerId).toBe('gw-renew');
    await api().post('/api/v1/ddi/targets/no-such/token').set(as(OPERATOR)).expect(404);
  });

  it('lists the devices in controller id order, filtered by attributes case-insensitively, page by page', async () => {
    await register({ controllerId: 'list-b', attributes: { vendor: 'Fabrikam', model: 'Room-2', hwRevision: 'B' } }).expect(201);
    await register({ controllerId: 'list-a', attributes: { vendor: 'Fabrikam', model: 'Room-2', hwRevision: 'A' } }).expect(201);
    await register({ controllerId: 'list-c', attributes: { vendor: 'Fabrikam', model: 'Room-3', hwRevision: 'A' } }).expect(201);
    const ids = (body: { items: { controllerId: string }[] }) => body.items.map((target) => target.controllerId);
    const fabrikam = await api().get('/api/v1/ddi/targets').query({ vendor: 'FABRIKAM' }).set(as(VIEWER)).expect(200);
    expect(ids(fabrikam.body)).toEqual(['list-a', 'list-b', 'list-c']);
    const room2 = await api().get('/api/v1/ddi/targets').query({ vendor: 'fabrikam', model: 'room-2', hwRevision: 'a' }).set(as(VIEWER)).expect(200);
    expect(ids(room2.body)).toEqual(['list-a']);
    const first = await api().get('/api/v1/ddi/targets').query({ vendor: 'Fabrikam', limit: 2 }).set(as(VIEWER)).expect(200);
    expect(ids(first.body)).toEqual(['list-a', 'list-b']);
    const second = await api().get('/api/v1/ddi/targets').query({ vendor: 'Fabrikam', limit: 2, cursor: first.body.nextCursor }).set(as(VIEWER)).expect(200);
    expect([ids(second.body), second.body.nextCursor]).toEqual([['list-c'], null]);
    await api().get('/api/v1/ddi/targets').query({ vendr: 'x' }).set(as(VIEWER)).expect(400);
  });

  it('removes a device and its token, with an audit row; its history is not the admin API\'s to remove', async () => {
    const created = await register({ controllerId: 'gw-gone', attributes: GATEWAY }).expect(201);
    await api().delete('/api/v1/ddi/targets/gw-gone').set(as(OPERATOR)).expect(204);
    await api().get('/api/v1/ddi/targets/gw-gone').set(as(VIEWER)).expect(404);
    await api().delete('/api/v1/ddi/targets/gw-gone').set(as(OPERATOR)).expect(404);
    expect(await targets.byTokenHash(hashToken(created.body.token))).toBeNull();
    const [audit] = await app.dataSource.query(`SELECT before, after FROM admin_audit WHERE action = 'ddiTarget.delete'`);
    expect(audit).toMatchObject({ before: { controllerId: 'gw-gone' }, after: null });
  });

  it('lets viewers read but not register, renew or remove', async () => {
    await register({ controllerId: 'gw-viewer', attributes: GATEWAY }, VIEWER).expect(403);
    await register({ controllerId: 'gw-viewer', attributes: GATEWAY }).expect(201);
    await api().post('/api/v1/ddi/targets/gw-viewer/token').set(as(VIEWER)).expect(403);
    await api().delete('/api/v1/ddi/targets/gw-viewer').set(as(VIEWER)).expect(403);
    await api().get('/api/v1/ddi/targets').set(as(VIEWER)).expect(200);
    await api().get('/api/v1/ddi/targets').expect(401);
  });
});
