import type { Config } from '@ucupdates/config';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { hashToken } from '../../apps/frontend/src/auth/token-hash';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { prepareServices, startTestFrontend } from '../support/harness';
import { importCsv } from '../support/import-csv';
import { suiteResources, testConfig } from '../support/test-environment';

const suite = suiteResources(__filename);

const ADMIN = 'request-audit-admin-token-0123456789';
const VIEWER = 'request-audit-viewer-token-0123456789';

interface Seed {
  at: string;
  nodeId?: string;
  address?: string;
  deviceType?: string;
  macAddress?: string | null;
  serialNumber?: string | null;
  vendor?: string;
  model?: string;
  revision?: string;
  locale?: string;
  requestModules?: unknown[];
  responseModules?: unknown[];
  userId?: string | null;
  external?: boolean;
  status?: number;
}

describe('the request audit (/api/v1/audit/requests)', () => {
  let config: Config;
  let frontend: Frontend;
  let dataSource: DataSource;
  const api = () => request(frontend.internal.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  /** Inserts rows as the phone handlers would; answers their ids in order. */
  async function seed(...rows: Seed[]): Promise<string[]> {
    const ids: string[] = [];
    for (const row of rows) {
      const [{ id }] = await dataSource.query<{ id: string }[]>(
        `INSERT INTO request_audit (request_id, at, node_id, address, device_type, mac_address, serial_number, vendor, model,
                                    revision, locale, request_modules, response_modules, user_id, external, status)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
        [
          row.at,
          row.nodeId ?? 'node-a',
          row.address ?? '10.0.0.7',
          row.deviceType ?? 'UCPhone',
          row.macAddress === undefined ? '00-04-F2-AB-CD-EF' : row.macAddress,
          row.serialNumber === undefined ? null : row.serialNumber,
          row.vendor ?? 'Polycom',
          row.model ?? 'CX600',
          row.revision ?? 'A',
          row.locale ?? 'ENU',
          JSON.stringify(row.requestModules ?? []),
          JSON.stringify(row.responseModules ?? []),
          row.userId === undefined ? null : row.userId,
          row.external ?? false,
          row.status ?? 200,
        ],
      );
      ids.push(id);
    }
    return ids;
  }

  /** Every item of a list, following the cursors `limit` at a time. */
  async function listAll(query: string, limit: number): Promise<{ id: string }[]> {
    const items: { id: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await api()
        .get(`/api/v1/audit/requests?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`)
        .set(as(VIEWER))
        .expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(limit);
      items.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    return items;
  }

  beforeAll(async () => {
    config = testConfig({ DATABASE_URL: await suite.recreateDatabase(), REDIS_URL: suite.redisUrl, UCU_BOOTSTRAP_ADMIN_TOKEN: ADMIN });
    await prepareServices(config);
    frontend = await startTestFrontend(config);
    dataSource = frontend.core.get(DataSource);
    await dataSource.query(`INSERT INTO admin_tokens (name, role, token_hash) VALUES ('viewer', 'viewer', $1)`, [hashToken(VIEWER)]);
  });

  afterAll(async () => {
    await frontend?.close();
  });

  describe('the list', () => {
    let ids: string[];

    beforeAll(async () => {
      await dataSource.query(`TRUNCATE request_audit`);
      ids = await seed(
        {
          at: '2030-01-01 10:00:00.000100+00',
          macAddress: '00-04-F2-AB-CD-EF',
          serialNumber: 'SN-1',
          requestModules: [{ filename: 'CPE.nbt', version: '4.0.7577.4366', timestamp: '2030-01-01T09:00:00Z' }],
          responseModules: [{ filename: 'CPE.nbt', signatureFilename: 'CPE.cat', version: '4.0.7577.4372', timestamp: '2030-01-01T10:00:00Z' }],
          userId: 'sip:alice@contoso.com',
        },
        // Three checks in one microsecond, and two within the millisecond of the first.
        { at: '2030-01-01 10:00:00.000200+00', macAddress: '00-04-F2-00-00-02', nodeId: 'node-b' },
        { at: '2030-01-01 10:00:00.000200+00', macAddress: '00-04-F2-00-00-03', nodeId: 'node-b' },
        { at: '2030-01-01 10:00:00.000200+00', macAddress: null, serialNumber: 'SN-4', external: true, status: 401 },
        { at: '2030-01-01 10:00:00.000300+00', macAddress: '00-04-F2-AB-CD-EF', nodeId: 'node-b' },
        { at: '2030-01-02 08:30:00+00', macAddress: '00-04-F2-00-00-06' },
      );
    });

    it('lists every check newest first, with the fields of Lync\'s audit log', async () => {
      const all = await api().get('/api/v1/audit/requests').set(as(ADMIN)).expect(200);
      expect(all.body.nextCursor).toBeNull();
      expect(all.body.items.map((item: { id: string }) => item.id)).toEqual([ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]]);
      expect(all.body.items[5]).toEqual({
        id: ids[0],
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        at: '2030-01-01T10:00:00.000Z',
        nodeId: 'node-a',
        address: '10.0.0.7',
        deviceType: 'UCPhone',
        macAddress: '00-04-F2-AB-CD-EF',
        serialNumber: 'SN-1',
        controllerId: null,
        operation: 'UpdateCheck',
        ddi: null,
        vendor: 'Polycom',
        model: 'CX600',
        revision: 'A',
        locale: 'ENU',
        requestModules: [{ filename: 'CPE.nbt', version: '4.0.7577.4366', timestamp: '2030-01-01T09:00:00Z' }],
        responseModules: [{ filename: 'CPE.nbt', signatureFilename: 'CPE.cat', version: '4.0.7577.4372', timestamp: '2030-01-01T10:00:00Z' }],
        userId: 'sip:alice@contoso.com',
        external: false,
        status: 200,
      });
      expect(all.body.items[2]).toMatchObject({ macAddress: null, serialNumber: 'SN-4', external: true, status: 401, userId: null });
    });

    it.each([1, 2, 4])('pages %i at a time without losing or repeating checks of the same microsecond', async (limit) => {
      const items = await listAll('', limit);
      expect(items.map((item) => item.id)).toEqual([ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]]);
    });

    it('pages a filtered list too', async () => {
      const items = await listAll('nodeId=node-b', 1);
      expect(items.map((item) => item.id)).toEqual([ids[4], ids[2], ids[1]]);
    });

    it.each([
      ['00-04-F2-AB-CD-EF'],
      ['00:04:f2:ab:cd:ef'],
      ['0004f2abcdef'],
      ['0004F2ABCDEF'],
    ])('finds a device by its MAC address written as %s', async (mac) => {
      const page = await api().get(`/api/v1/audit/requests?macAddress=${encodeURIComponent(mac)}`).set(as(VIEWER)).expect(200);
      expect(page.body.items.map((item: { id: string }) => item.id)).toEqual([ids[4], ids[0]]);
    });

    it.each([
      ['serialNumber=SN-4', [3]],
      ['serialNumber=sn-4', []],
      ['nodeId=node-a', [5, 3, 0]],
      ['since=2030-01-01T10:00:00.0002Z', [5, 4, 3, 2, 1]],
      ['until=2030-01-01T10:00:00.0002Z', [0]],
      ['since=2030-01-01T11:00:00%2B01:00&until=2030-01-02T00:00:00Z', [4, 3, 2, 1, 0]],
      ['since=2030-01-01T10:00:00Z&nodeId=node-b&macAddress=00-04-f2-00-00-03', [2]],
      ['since=2031-01-01T00:00:00Z', []],
    ])('filters by %s', async (query, expected) => {
      const page = await api().get(`/api/v1/audit/requests?${query}`).set(as(VIEWER)).expect(200);
      expect(page.body.items.map((item: { id: string }) => item.id)).toEqual(expected.map((index) => ids[index]));
    });

    it.each([
      ['since=yesterday', 'since'],
      ['until=2030-01-01', 'until'],
      ['macAddress=01-02-03-04-05', 'macAddress'],
      ['macAddress=not-a-mac', 'macAddress'],
      ['serialNumber=', 'serialNumber'],
      ['nodeId=' + 'n'.repeat(64), 'nodeId'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=ten', 'limit'],
      ['cursor=not*a*cursor', 'cursor'],
      [`cursor=${Buffer.from('["1"]').toString('base64url')}`, 'cursor'],
      [`cursor=${Buffer.from('["soon","1"]').toString('base64url')}`, 'cursor'],
      [`cursor=${Buffer.from('["1893492000000200","99999999999999999999"]').toString('base64url')}`, 'cursor'],
    ])('refuses %s with 400 naming %s', async (query, field) => {
      const refused = await api().get(`/api/v1/audit/requests?${query}`).set(as(VIEWER)).expect(400);
      expect(refused.body.error).toMatchObject({ code: 'BadRequest', details: { field } });
      expect(refused.body.error.message).toContain(field);
    });
  });

  describe('the export', () => {
    beforeAll(async () => {
      await dataSource.query(`TRUNCATE request_audit`);
      await seed(
        // The day's edges: neither neighbour's checks belong to it.
        { at: '2030-02-01 23:59:59.999999+00', model: 'day-before' },
        { at: '2030-02-03 00:00:00+00', model: 'day-after' },
        { at: '2030-02-02 00:00:00+00', macAddress: '00-04-F2-00-00-01', serialNumber: null, userId: null },
        {
          at: '2030-02-02 12:34:56.789+00',
          nodeId: 'node-b',
          address: '2001:db8::7',
          macAddress: null,
          serialNumber: 'SN;7#1',
          vendor: 'Poly;com',
          model: 'CX#600',
          revision: 'A,B',
          locale: 'EN\nU',
          requestModules: [
            { filename: 'CPE.nbt', version: '4.0.7577.4366', timestamp: '2030-02-01T00:00:00Z' },
            { filename: 'odd;name#.nbt', version: '1.0', timestamp: null },
          ],
          responseModules: [{ filename: 'CPE.nbt', signatureFilename: 'CPE.cat', version: '4.0.7577.4372', timestamp: '2030-02-02T12:34:57Z' }],
          userId: 'sip:bob@contoso.com\r\nX-Injected: 1',
          external: true,
        },
      );
    });

    const header =
      'Logging DateTime,User Host Address,Device Type,Mac Address,Serial Number,Vendor,Model,Revision,Locale,' +
      'Request Modules,Response Modules,User Id,Listener,Status,Node\r\n';

    it("answers the day's checks, oldest first, as Lync's audit file: CSV with a header row", async () => {
      const answer = await api().get('/api/v1/audit/requests/export?date=2030-02-02').set(as(VIEWER)).buffer(true).expect(200);
      expect(answer.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
      expect(answer.headers['content-disposition']).toBe('attachment; filename="RequestHandlerAuditLog_pool_20300202.log"');
      expect(answer.text).toBe(
        header +
          '2030-02-02T00:00:00.000Z,10.0.0.7,UCPhone,00-04-F2-00-00-01,,Polycom,CX600,A,ENU,,,,internal,200,node-a\r\n' +
          '2030-02-02T12:34:56.789Z,2001:db8::7,UCPhone,,SN;7#1,Poly;com,CX#600,"A,B","EN\nU",' +
          'CPE.nbt;4.0.7577.4366;2030-02-01T00:00:00Z#odd%3Bname%23.nbt;1.0;,' +
          'CPE.nbt;CPE.cat;4.0.7577.4372;2030-02-02T12:34:57Z,' +
          '"sip:bob@contoso.com\r\nX-Injected: 1",external,200,node-b\r\n',
      );
    });

    it("answers one node's checks with nodeId, in a file named after the node", async () => {
      const answer = await api().get('/api/v1/audit/requests/export?date=2030-02-02&nodeId=node-b').set(as(VIEWER)).buffer(true).expect(200);
      expect(answer.headers['content-disposition']).toBe('attachment; filename="RequestHandlerAuditLog_node-b_20300202.log"');
      const rows = importCsv(answer.text);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ 'Serial Number': 'SN;7#1', Vendor: 'Poly;com', Model: 'CX#600', Revision: 'A,B', Locale: 'EN\nU', Node: 'node-b' });
      expect(rows[0]['User Id']).toBe('sip:bob@contoso.com\r\nX-Injected: 1');
    });

    it('answers the header row alone for a day without checks', async () => {
      const answer = await api().get('/api/v1/audit/requests/export?date=2030-02-04').set(as(VIEWER)).buffer(true).expect(200);
      expect(answer.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
      expect(answer.headers['content-disposition']).toBe('attachment; filename="RequestHandlerAuditLog_pool_20300204.log"');
      expect(answer.text).toBe(header);
    });

    it('streams a day larger than a batch whole, in order, each check once', async () => {
      // 4,500 checks on 3 timestamps: batch boundaries fall inside runs of equal times.
      await dataSource.query(
        `INSERT INTO request_audit (request_id, at, node_id, address, device_type, mac_address, serial_number, vendor, model,
                                    revision, locale, request_modules, response_modules, user_id, external, status)
         SELECT gen_random_uuid(), '2030-03-01 06:00:00+00'::timestamptz + (n % 3) * interval '1 microsecond', 'node-a', '10.0.0.1',
                'UCPhone', NULL, 'SN-' || n, 'Polycom', 'CX600', 'A', 'ENU', '[]', '[]', NULL, false, 200
           FROM generate_series(1, 4500) AS n`,
      );
      const answer = await api().get('/api/v1/audit/requests/export?date=2030-03-01').set(as(VIEWER)).buffer(true).expect(200);
      const rows = importCsv(answer.text);
      expect(rows).toHaveLength(4500);
      expect(new Set(rows.map((row) => row['Serial Number'])).size).toBe(4500);
      const times = rows.map((row) => row['Logging DateTime'] as string);
      expect([...times].sort()).toEqual(times);
    });

    it.each([['', 'date'], ['date=2030-02-30', 'date'], ['date=02/02/2030', 'date'], ['date=2030-02-02T00:00:00Z', 'date']])(
      'refuses ?%s with 400 naming %s',
      async (query, field) => {
        const refused = await api().get(`/api/v1/audit/requests/export?${query}`).set(as(VIEWER)).expect(400);
        expect(refused.headers['content-type']).toMatch(/^application\/json/);
        expect(refused.body.error.details.field).toBe(field);
      },
    );
  });

  describe('access', () => {
    it.each(['/api/v1/audit/requests', '/api/v1/audit/requests/export?date=2030-02-02'])('%s needs a token', async (path) => {
      await api().get(path).expect(401);
      await api().get(path).set(as('not-a-token-of-this-pool-0123456789')).expect(401);
      await api().get(path).set(as(VIEWER)).expect(200);
    });
  });

  it('is described in the OpenAPI document, with the layout of the export', async () => {
    const document = (await api().get('/api/docs-json').expect(200)).body;
    const list = document.paths['/api/v1/audit/requests'].get;
    expect(list.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(
      expect.arrayContaining(['limit', 'cursor', 'since', 'until', 'macAddress', 'serialNumber', 'nodeId']),
    );
    const exported = document.paths['/api/v1/audit/requests/export'].get;
    expect(exported.parameters).toEqual([
      expect.objectContaining({ name: 'date', required: true }),
      expect.objectContaining({ name: 'nodeId', required: false }),
    ]);
    expect(exported.description).toContain('`Logging DateTime`, `User Host Address`');
    expect(Object.keys(exported.responses['200'].content)).toEqual(['text/csv']);
  });
});
