import type { Config } from '@ucupdates/config';
import { auditRow, RequestAuditRepository } from '@ucupdates/database';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { answeredCheck } from '../support/answered-check';
import { useTestFrontend } from '../support/harness';

interface Seed {
  macAddress?: string | null;
  serialNumber?: string | null;
  brand?: string;
  model?: string;
  modules?: { updateType: string; version: string }[];
  isTestDevice?: boolean;
  lastSeenAt: string;
  lastUserId?: string | null;
}

describe('the device inventory (/api/v1/devices)', () => {
  const app = useTestFrontend(__filename);
  const VIEWER = app.tokens.viewer;
  const ADMIN = app.tokens.admin;
  let config: Config;
  let frontend: Frontend;
  let dataSource: DataSource;
  let ids: string[];
  const api = () => request(frontend.internal.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  /** Inserts devices as the phone handlers would; answers their ids in order. */
  async function seed(...rows: Seed[]): Promise<string[]> {
    const inserted: string[] = [];
    for (const [index, row] of rows.entries()) {
      const mac = row.macAddress === undefined ? `00-04-F2-00-00-${String(index).padStart(2, '0')}` : row.macAddress;
      const serial = row.serialNumber ?? null;
      const [{ id }] = await dataSource.query<{ id: string }[]>(
        `INSERT INTO devices (device_key, mac_address, serial_number, device_type, brand, model, revision, locale, modules,
                              is_test_device, first_seen_at, last_seen_at, last_node_id, last_address, last_user_id)
         VALUES ($1, $2, $3, 'UCPhone', $4, $5, 'A', 'ENU', $6, $7, '2029-12-01 00:00:00+00', $8, 'node-a', '10.0.0.7', $9)
         RETURNING id`,
        [
          mac ? `mac:${mac}` : `serial:${serial}`,
          mac,
          serial,
          row.brand ?? 'Polycom',
          row.model ?? 'CX600',
          JSON.stringify(row.modules ?? []),
          row.isTestDevice ?? false,
          row.lastSeenAt,
          row.lastUserId === undefined ? null : row.lastUserId,
        ],
      );
      inserted.push(id);
    }
    return inserted;
  }

  const idsOf = (body: { items: { id: string }[] }) => body.items.map((item) => item.id);
  let seenAt: string[];
  /**
   * The seeded devices at these indexes in the API's order: last seen newest first, then id
   * descending (ids are random UUIDs, which Postgres orders as their hex text). The seeds' times are
   * all written alike, so their text orders as the times do.
   */
  const inOrder = (indexes: number[]) =>
    indexes
      .map((index) => ({ id: ids[index], at: seenAt[index] }))
      .sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1))
      .map((device) => device.id);

  beforeAll(async () => {
    ({ config, frontend, dataSource } = app);
    const devices: Seed[] = [
      {
        brand: 'Polycom',
        model: 'CX600',
        modules: [
          { updateType: 'CPE', version: '4.0.7577.4366' },
          { updateType: 'UCM', version: '4.0.7577.10' },
        ],
        isTestDevice: true,
        lastSeenAt: '2030-01-01 10:00:00.000100+00',
        lastUserId: 'sip:alice@contoso.com',
      },
      // Three devices seen in one microsecond, two more within the millisecond.
      { brand: 'polycom', model: 'cx600', modules: [{ updateType: 'CPE', version: '4.0.7577.4372' }], lastSeenAt: '2030-01-01 10:00:00.000200+00' },
      { brand: 'Aastra', model: '6725ip', modules: [{ updateType: 'CPE', version: '4.0.7577.4372' }], lastSeenAt: '2030-01-01 10:00:00.000200+00' },
      { macAddress: null, serialNumber: 'SN-3', brand: 'HP', model: '4120', lastSeenAt: '2030-01-01 10:00:00.000200+00' },
      { brand: 'Polycom', model: 'CX500', modules: [{ updateType: 'UCM', version: '4.0.7577.4366' }], lastSeenAt: '2030-01-01 10:00:00.000300+00' },
      { brand: 'Polycom', model: 'CX600', lastSeenAt: '2029-06-01 00:00:00+00' },
    ];
    ids = await seed(...devices);
    seenAt = devices.map((device) => device.lastSeenAt);
  });

  it('lists every device, most recently seen first, with its modules and where it was last seen', async () => {
    const all = await api().get('/api/v1/devices').set(as(ADMIN)).expect(200);
    expect(all.body.nextCursor).toBeNull();
    expect(idsOf(all.body)).toEqual(inOrder([0, 1, 2, 3, 4, 5]));
    expect(all.body.items.find((item: { id: string }) => item.id === ids[0])).toEqual({
      id: ids[0],
      macAddress: '00-04-F2-00-00-00',
      serialNumber: null,
      controllerId: null,
      deviceType: 'UCPhone',
      brand: 'Polycom',
      model: 'CX600',
      revision: 'A',
      locale: 'ENU',
      modules: [
        { updateType: 'CPE', version: '4.0.7577.4366' },
        { updateType: 'UCM', version: '4.0.7577.10' },
      ],
      isTestDevice: true,
      firstSeenAt: '2029-12-01T00:00:00.000Z',
      lastSeenAt: '2030-01-01T10:00:00.000Z',
      lastNodeId: 'node-a',
      lastAddress: '10.0.0.7',
      lastUserId: 'sip:alice@contoso.com',
    });
    expect(all.body.items.find((item: { id: string }) => item.id === ids[3])).toMatchObject({ macAddress: null, serialNumber: 'SN-3', modules: [] });
  });

  it.each([1, 2, 4])('pages %i at a time without losing or repeating devices seen in the same microsecond', async (limit) => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await api()
        .get(`/api/v1/devices?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`)
        .set(as(VIEWER))
        .expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(limit);
      seen.push(...idsOf(page.body));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(inOrder([0, 1, 2, 3, 4, 5]));
  });

  it.each([
    ['model=CX600', [1, 0, 5]],
    ['model=cx600', [1, 0, 5]],
    ['model=CX', []],
    ['brand=POLYCOM', [4, 1, 0, 5]],
    ['brand=aastra', [2]],
    ['brand=Polycom&model=CX500', [4]],
    ['version=4.0.7577.4372', [2, 1]],
    ['version=4.0.7577.4366', [4, 0]],
    ['version=4.0.7577.10&model=CX600', [0]],
    ['version=4.0.7577', []],
    ['seenSince=2030-01-01T10:00:00.0002Z', [4, 3, 2, 1]],
    ['seenSince=2030-01-01T00:00:00Z&brand=polycom', [4, 1, 0]],
    ['seenSince=2031-01-01T00:00:00Z', []],
  ])('filters by %s', async (query, expected) => {
    const page = await api().get(`/api/v1/devices?${query}`).set(as(VIEWER)).expect(200);
    expect(idsOf(page.body)).toEqual(inOrder(expected));
  });

  it('pages a filtered list too', async () => {
    const first = await api().get('/api/v1/devices?brand=polycom&limit=2').set(as(VIEWER)).expect(200);
    expect(idsOf(first.body)).toEqual([ids[4], ids[1]]);
    const second = await api().get(`/api/v1/devices?brand=polycom&limit=2&cursor=${first.body.nextCursor}`).set(as(VIEWER)).expect(200);
    expect(idsOf(second.body)).toEqual([ids[0], ids[5]]);
    expect(second.body.nextCursor).toBeNull();
  });

  it.each([
    ['seenSince=yesterday', 'seenSince'],
    ['seenSince=2030-01-01', 'seenSince'],
    ['model=', 'model'],
    ['brand=', 'brand'],
    ['version=' + '1'.repeat(65), 'version'],
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    ['cursor=***', 'cursor'],
    [`cursor=${Buffer.from('["1893492000000200","42"]').toString('base64url')}`, 'cursor'],
    [`cursor=${Buffer.from('["soon","6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f"]').toString('base64url')}`, 'cursor'],
  ])('refuses %s with 400 naming %s', async (query, field) => {
    const refused = await api().get(`/api/v1/devices?${query}`).set(as(VIEWER)).expect(400);
    expect(refused.body.error).toMatchObject({ code: 'BadRequest', details: { field } });
  });

  it('shows one device by its id', async () => {
    const one = await api().get(`/api/v1/devices/${ids[3]}`).set(as(VIEWER)).expect(200);
    expect(one.body).toMatchObject({ id: ids[3], serialNumber: 'SN-3', brand: 'HP', model: '4120', lastSeenAt: '2030-01-01T10:00:00.000Z' });
  });

  it('answers 404 for an unknown id and 400 naming the id for one that is not a UUID', async () => {
    const unknown = await api().get('/api/v1/devices/6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f').set(as(VIEWER)).expect(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/json/);
    expect(unknown.body.error).toMatchObject({ code: 'NotFound', message: expect.stringContaining('6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f') });
    const bad = await api().get('/api/v1/devices/not-a-uuid').set(as(VIEWER)).expect(400);
    expect(bad.body.error).toMatchObject({ code: 'BadRequest', details: { field: 'id' } });
  });

  it.each(['/api/v1/devices', '/api/v1/devices/6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f'])('%s needs a token', async (path) => {
    await api().get(path).expect(401);
    await api().get(path).set(as('not-a-token-of-this-pool-0123456789')).expect(401);
  });

  it('keeps the newest user any check named when a device checked twice in one shipment, the newest naming none', async () => {
    const check = (requestId: string, at: string, userId: string | null, version: string) =>
      answeredCheck({ requestId, at: new Date(at), nodeId: 'node-a', address: '192.0.2.7', userId }, { macAddress: '00-04-F2-77-77-77', version });
    // One statement, as a node ships two checks of one group commit (or a journal taken over).
    await new RequestAuditRepository(dataSource.manager, config).recordRows([
      auditRow(check('7c0f0f5e-0000-4000-8000-000000000001', '2031-01-01T10:00:00Z', 'sip:carol@contoso.com', '1.0'), true),
      auditRow(check('7c0f0f5e-0000-4000-8000-000000000002', '2031-01-01T10:00:05Z', null, '2.0'), true),
    ]);
    const [device] = await dataSource.query(`SELECT modules, last_user_id, last_seen_at FROM devices WHERE device_key = 'mac:00-04-F2-77-77-77'`);
    expect(device).toMatchObject({ modules: [{ updateType: 'CPE', version: '2.0' }], last_user_id: 'sip:carol@contoso.com', last_seen_at: new Date('2031-01-01T10:00:05Z') });
    const audited = await dataSource.query(`SELECT user_id FROM request_audit WHERE mac_address = '00-04-F2-77-77-77' ORDER BY at`);
    expect(audited).toEqual([{ user_id: 'sip:carol@contoso.com' }, { user_id: null }]);
  });

  it('is described in the OpenAPI document', async () => {
    const document = (await api().get('/api/docs-json').expect(200)).body;
    const list = document.paths['/api/v1/devices'].get;
    expect(list.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(
      expect.arrayContaining(['limit', 'cursor', 'model', 'brand', 'version', 'seenSince']),
    );
    expect(document.paths['/api/v1/devices/{id}'].get).toBeDefined();
  });
});
