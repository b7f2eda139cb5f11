import type { Config } from '@ucupdates/config';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { useTestFrontend } from '../support/harness';

describe('test devices (/api/v1/test-devices)', () => {
  const app = useTestFrontend(__filename);
  const OPERATOR = app.tokens.operator;
  const VIEWER = app.tokens.viewer;
  let config: Config;
  let frontend: Frontend;
  let dataSource: DataSource;
  const api = () => request(frontend.internal.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const create = (body: Record<string, unknown>) => api().post('/api/v1/test-devices').set(as(OPERATOR)).send(body);

  beforeAll(() => void ({ config, frontend, dataSource } = app));

  it.each([
    ['00-04-f2-ab-cd-ef', '00-04-F2-AB-CD-EF'],
    ['00:04:F2:AB:CD:EF', '00-04-F2-AB-CD-EF'],
    ['0004f2abcdef', '00-04-F2-AB-CD-EF'],
    ['00-04-f2-ab-cd-ef-01-02', '00-04-F2-AB-CD-EF-01-02'],
  ])('creates a device by MAC address %s, stored as %s', async (given, stored) => {
    const response = await create({ scope: 'global', name: `mac ${given}`, identifierType: 'MACAddress', identifier: given }).expect(201);
    expect(response.body).toMatchObject({ scope: 'global', identifierType: 'MACAddress', identifier: stored });
  });

  it.each([
    ['a five-pair MAC address', { identifierType: 'MACAddress', identifier: '01-02-03-04-05' }, 'identifier', /not a valid MAC address/],
    ['mixed separators', { identifierType: 'MACAddress', identifier: '00-04:F2-AB-CD-EF' }, 'identifier', /not a valid MAC address/],
    ['a serial number with a space', { identifierType: 'SerialNumber', identifier: 'AB 12' }, 'identifier', /not a valid serial number/],
    ['a controller id with a slash', { identifierType: 'ControllerId', identifier: 'gw/1' }, 'identifier', /not a valid controller id/],
    ['an unknown identifier type', { identifierType: 'IMEI', identifier: '1' }, 'identifierType', /./],
    ['a bad scope', { scope: 'region:x' }, 'scope', /"global" or "site:<name>"/],
    ['an empty name', { name: ' ' }, 'name', /must not be empty/],
    ['an unknown field', { colour: 'red' }, 'colour', /colour/],
  ])('refuses %s with 400 naming the field', async (_, change, field, message) => {
    const response = await create({ scope: 'global', name: 'bad', identifierType: 'SerialNumber', identifier: 'SN-1', ...change }).expect(400);
    expect(response.body.error.details.field).toBe(field);
    expect(response.body.error.message).toMatch(message);
  });

  it("creates a DDI device by its controller id (ddi.md), kept as given", async () => {
    const response = await create({ scope: 'global', name: 'lab gateway', identifierType: 'ControllerId', identifier: 'gw-0001:a.b_c' }).expect(201);
    expect(response.body).toMatchObject({ identifierType: 'ControllerId', identifier: 'gw-0001:a.b_c' });
  });

  it('keeps names unique within a scope, whatever the case, but not across scopes', async () => {
    await create({ scope: 'global', name: 'Lab phone', identifierType: 'SerialNumber', identifier: 'SN_001' }).expect(201);
    const duplicate = await create({ scope: 'global', name: 'LAB PHONE', identifierType: 'SerialNumber', identifier: 'SN_002' }).expect(409);
    expect(duplicate.body.error).toMatchObject({ code: 'DuplicateName', details: { field: 'name' } });
    await create({ scope: 'site:Redmond', name: 'Lab phone', identifierType: 'SerialNumber', identifier: 'SN_002' }).expect(201);
    const site = await api().get('/api/v1/test-devices?scope=site:Redmond').set(as(VIEWER)).expect(200);
    expect(site.body.items.map((device: { name: string }) => device.name)).toEqual(['Lab phone']);
  });

  it('changes a device, checking the identifier against the type it will have, with audit rows', async () => {
    const { body: device } = await create({ scope: 'global', name: 'desk', identifierType: 'SerialNumber', identifier: 'SN9' }).expect(201);
    await api().patch(`/api/v1/test-devices/${device.id}`).set(as(OPERATOR)).send({ identifierType: 'MACAddress' }).expect(400);
    const changed = await api()
      .patch(`/api/v1/test-devices/${device.id}`)
      .set(as(OPERATOR))
      .send({ identifierType: 'MACAddress', identifier: 'aa:bb:cc:dd:ee:ff' })
      .expect(200);
    expect(changed.body).toMatchObject({ name: 'desk', identifierType: 'MACAddress', identifier: 'AA-BB-CC-DD-EE-FF' });
    await api().delete(`/api/v1/test-devices/${device.id}`).set(as(OPERATOR)).expect(204);
    await api().get(`/api/v1/test-devices/${device.id}`).set(as(VIEWER)).expect(404);
    const audit = await dataSource.query(`SELECT action FROM admin_audit WHERE target = $1 ORDER BY id`, [`testDevice/${device.id}`]);
    expect(audit.map((row: { action: string }) => row.action)).toEqual(['testDevice.create', 'testDevice.update', 'testDevice.delete']);
  });

  it('lets viewers list but not change', async () => {
    await api().post('/api/v1/test-devices').set(as(VIEWER)).send({}).expect(403);
    const listed = await api().get('/api/v1/test-devices?limit=2').set(as(VIEWER)).expect(200);
    expect(listed.body.items).toHaveLength(2);
    expect(listed.body.nextCursor).not.toBeNull();
  });
});
