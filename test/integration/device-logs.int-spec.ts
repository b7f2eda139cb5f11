import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '@ucupdates/config';
import { Repositories } from '@ucupdates/database';
import { createRedis } from '@ucupdates/redis';
import { ObjectStorage } from '@ucupdates/storage';
import type { Redis } from 'ioredis';
import { Client as MinioClient } from 'minio';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { hashToken } from '../../apps/frontend/src/auth/token-hash';
import { PoolStateService } from '../../apps/frontend/src/devices/pool-state/pool-state.service';
import { DeviceLogCleanUpHandler, LAST_DUE_KEY } from '../../apps/worker/src/housekeeping/device-log-clean-up.handler';
import { prepareServices, startTestFrontend } from '../support/harness';
import { suiteResources, testConfig } from '../support/test-environment';

const suite = suiteResources(__filename);

const ADMIN = 'device-logs-admin-token-0123456789';
const VIEWER = 'device-logs-viewer-token-0123456789';
const MAC = '00-04-F2-AB-CD-EF';
const OTHER_MAC = '00-04-F2-00-00-02';
const SERIAL = 'SN-LOGS_0001';
/** The test's limit per file (maxLogFileSize), small so refusals need few bytes. */
const MAX_FILE = 4096;
const KEY = /^logs\/\d{4}\/\d{2}\/\d{2}\/[0-9a-f-]{36}$/;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('device logs (PUT /RequestHandler/Logs/..., /api/v1/device-logs)', () => {
  let config: Config;
  let frontend: Frontend;
  let dataSource: DataSource;
  let storage: ObjectStorage;
  let minio: MinioClient;
  let redis: Redis;
  let port: number;
  const api = () => request(frontend.internal.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const identity = (mac: string | null = MAC, serial: string | null = null, deviceType = 'UCPhone') => ({
    'X-UC-DeviceType': deviceType,
    ...(mac === null ? {} : { 'X-UC-MacAddress': mac }),
    ...(serial === null ? {} : { 'X-UC-SerialNumber': serial }),
  });

  /**
   * A PUT over a plain connection: no Content-Type unless given, the body whole (with its
   * Content-Length) or in chunks (chunked), stopping once the answer came.
   */
  function rawPut(path: string, headers: Record<string, string>, body: Buffer | Buffer[], chunkDelayMs = 5): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const whole = Buffer.isBuffer(body);
      let answered = false;
      const req = httpRequest(
        { host: '127.0.0.1', port, path, method: 'PUT', headers: whole ? { ...headers, 'Content-Length': String(body.length) } : headers },
        (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      // Once answered, the node may close the connection while we still send: that is the point.
      req.on('error', (error) => (answered ? undefined : reject(error)));
      if (whole) {
        req.end(body);
        return;
      }
      void (async () => {
        for (const chunk of body) {
          if (answered || req.destroyed) {
            return;
          }
          req.write(chunk);
          await new Promise((wait) => setTimeout(wait, chunkDelayMs));
        }
        req.end();
      })();
    });
  }

  const upload = (logType: string, fileName: string, bytes: Buffer, headers: Record<string, string> = identity()) =>
    api().put(`/RequestHandler/Logs/${logType}/${fileName}`).set(headers).set('Content-Type', 'application/octet-stream').send(bytes);

  const countRows = async (): Promise<number> => (await dataSource.query(`SELECT count(*)::int AS n FROM device_logs`))[0].n;

  async function objectsUnderLogs(): Promise<string[]> {
    const names: string[] = [];
    for await (const item of minio.listObjectsV2(config.S3_BUCKET, 'logs/', true)) {
      names.push((item as { name: string }).name);
    }
    return names;
  }

  async function incompleteUploads(): Promise<number> {
    let count = 0;
    for await (const _ of minio.listIncompleteUploads(config.S3_BUCKET, 'logs/', true)) {
      count++;
    }
    return count;
  }

  async function configure(changes: Record<string, unknown>): Promise<void> {
    await api().put('/api/v1/configuration/global').set(as(ADMIN)).send(changes).expect(200);
    await frontend.core.get(PoolStateService).reload();
  }

  /** The stored bytes in KB of 1,024 (the unit of maxLogCacheLimit), rounded up. */
  async function storedKilobytes(): Promise<number> {
    const [{ bytes }] = await dataSource.query(`SELECT coalesce(sum(size), 0)::float8 AS bytes FROM device_logs`);
    return Math.ceil(bytes / 1024);
  }

  beforeAll(async () => {
    config = testConfig({
      DATABASE_URL: await suite.recreateDatabase(),
      UCU_BOOTSTRAP_ADMIN_TOKEN: ADMIN,
      REDIS_URL: suite.redisUrl,
    });
    await prepareServices(config);
    frontend = await startTestFrontend(config);
    dataSource = frontend.core.get(DataSource);
    storage = frontend.core.get(ObjectStorage);
    const endpoint = new URL(config.S3_ENDPOINT);
    minio = new MinioClient({
      endPoint: endpoint.hostname,
      port: Number(endpoint.port),
      useSSL: false,
      accessKey: config.S3_ACCESS_KEY,
      secretKey: config.S3_SECRET_KEY,
      pathStyle: true,
    });
    redis = createRedis(config.REDIS_URL, 'device-logs-test');
    await redis.del(LAST_DUE_KEY);
    await dataSource.query(`INSERT INTO admin_tokens (name, role, token_hash) VALUES ('viewer', 'viewer', $1)`, [hashToken(VIEWER)]);
    const server = frontend.internal.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    // Lync's default types are Watson and CELog; an administrator may add others, as here.
    await configure({ maxLogFileSize: MAX_FILE, validLogFileTypes: ['Watson', 'CELog', 'Config', 'DiagLog'] });
  });

  afterAll(async () => {
    await redis?.quit();
    await frontend?.close();
  });

  describe('uploads', () => {
    it('stores a log and serves it back byte for byte through the admin API', async () => {
      const bytes = randomBytes(3000);
      const stored = await upload('CELog', 'device.clg', bytes, identity('00:04:f2:ab:cd:ef')).expect(201);
      expect(stored.headers['content-type']).toBe('text/xml; charset=utf-8');
      const id = /<Id>([0-9a-f-]{36})<\/Id>/.exec(stored.text)?.[1];
      expect(id).toBeDefined();
      expect(stored.headers.location).toBe(`/api/v1/device-logs/${id}`);
      expect(stored.text).toContain(`<Sha256>${sha256(bytes)}</Sha256>`);

      const metadata = await api().get(stored.headers.location).set(as(VIEWER)).expect(200);
      expect(metadata.body).toEqual({
        id,
        deviceType: 'UCPhone',
        macAddress: MAC,
        serialNumber: null,
        logType: 'CELog',
        fileName: 'device.clg',
        size: 3000,
        sha256: sha256(bytes),
        nodeId: config.UCU_NODE_ID,
        address: '127.0.0.1',
        userId: null,
        external: false,
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      });
      const content = await api()
        .get(`/api/v1/device-logs/${id}/content`)
        .set(as(VIEWER))
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
      expect(Buffer.compare(content.body as Buffer, bytes)).toBe(0);
      expect(content.headers).toMatchObject({
        'content-type': 'application/octet-stream',
        'content-length': '3000',
        'content-disposition': `attachment; filename="device.clg"; filename*=UTF-8''device.clg`,
        etag: `"${sha256(bytes)}"`,
        'x-content-type-options': 'nosniff',
      });
      const [row] = await dataSource.query(`SELECT object_key FROM device_logs WHERE id = $1`, [id]);
      expect(row.object_key).toMatch(KEY);
      expect(row.object_key.endsWith(id!)).toBe(true);
    });

    it('takes the log type in any case, storing the configured spelling, and a device known by serial only', async () => {
      const stored = await upload('watson', 'crash.DMP', Buffer.from('dump'), identity(null, SERIAL)).expect(201);
      const metadata = await api().get(stored.headers.location).set(as(VIEWER)).expect(200);
      expect(metadata.body).toMatchObject({ logType: 'Watson', fileName: 'crash.DMP', macAddress: null, serialNumber: SERIAL });
      // Paths match case-insensitively, as IIS did; the raw body still applies.
      await api().put('/requesthandler/LOGS/Watson/lower.dmp').set(identity()).set('Content-Type', 'text/plain').send('x').expect(201);
    });

    it('keeps both when the same device uploads the same file name twice', async () => {
      const first = await upload('CELog', 'twice.txt', Buffer.from('first')).expect(201);
      const second = await upload('CELog', 'twice.txt', Buffer.from('second')).expect(201);
      expect(first.headers.location).not.toBe(second.headers.location);
      const twice = await dataSource.query(`SELECT sha256 FROM device_logs WHERE file_name = 'twice.txt' ORDER BY created_at`);
      expect(twice.map((row: { sha256: string }) => row.sha256)).toEqual([sha256(Buffer.from('first')), sha256(Buffer.from('second'))]);
    });

    it('takes the body raw whatever its Content-Type, or without one, and never interprets it', async () => {
      const bodies: [string | null, Buffer][] = [
        ['text/plain; charset=utf-8', Buffer.from('plain text log\n')],
        ['application/json', Buffer.from('{not json')],
        ['text/xml', Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>')],
        ['application/xml', Buffer.from('<unclosed>')],
        ['multipart/form-data; boundary=zzz', Buffer.from('--zzz\r\nnot really multipart')],
        ['not a media type', randomBytes(64)],
        [null, randomBytes(100)],
      ];
      for (const [type, bytes] of bodies) {
        const answer = await rawPut('/RequestHandler/Logs/Config/body.xml', { ...identity(), ...(type === null ? {} : { 'Content-Type': type }) }, bytes);
        expect({ type, status: answer.status }).toEqual({ type, status: 201 });
        const [row] = await dataSource.query(`SELECT sha256 FROM device_logs WHERE id = $1`, [answer.headers.location!.split('/').pop()]);
        expect(row.sha256).toBe(sha256(bytes));
      }
    });

    it('takes a chunked body within the limit', async () => {
      const chunks = [randomBytes(1000), randomBytes(1000), randomBytes(1000)];
      const answer = await rawPut('/RequestHandler/Logs/DiagLog/chunked.bin', identity(), chunks);
      expect(answer.status).toBe(201);
      const [row] = await dataSource.query(`SELECT size, sha256 FROM device_logs WHERE id = $1`, [answer.headers.location!.split('/').pop()]);
      expect(row).toEqual({ size: '3000', sha256: sha256(Buffer.concat(chunks)) });
    });
  });

  describe('refusals, in XML, leaving nothing behind', () => {
    let rowsBefore: number;
    let objectsBefore: string[];

    beforeEach(async () => {
      rowsBefore = await countRows();
      objectsBefore = await objectsUnderLogs();
    });

    afterEach(async () => {
      expect(await countRows()).toBe(rowsBefore);
      expect(await objectsUnderLogs()).toEqual(objectsBefore);
      expect(await incompleteUploads()).toBe(0);
    });

    const refusal = (answer: { status: number; headers: IncomingHttpHeaders; text?: string; body?: unknown }, status: number, code: string) => {
      expect(answer.status).toBe(status);
      expect(answer.headers['content-type']).toBe('text/xml; charset=utf-8');
      const text = answer.text ?? String(answer.body);
      expect(text).toContain(`<Error>${code}</Error>`);
      return text;
    };

    it('refuses a log type that is not configured, naming the valid ones (400)', async () => {
      const text = refusal(await upload('Bogus', 'a.txt', Buffer.from('x')), 400, 'BadRequest');
      expect(text).toContain('Watson, CELog, Config, DiagLog');
    });

    it('refuses an extension that is not configured, naming the valid ones (400)', async () => {
      const text = refusal(await upload('CELog', 'a.exe', Buffer.from('x')), 400, 'BadRequest');
      expect(text).toContain('.dmp, .clg, .clg1');
      refusal(await upload('CELog', 'no-extension', Buffer.from('x')), 400, 'BadRequest');
    });

    it('refuses a missing or bad identity, naming the header (400)', async () => {
      const cases: [Record<string, string>, string][] = [
        [{ 'X-UC-MacAddress': MAC }, 'X-UC-DeviceType'],
        [{ 'X-UC-DeviceType': 'UC Phone!', 'X-UC-MacAddress': MAC }, 'X-UC-DeviceType'],
        [{ 'X-UC-DeviceType': 'UCPhone' }, 'X-UC-MacAddress or X-UC-SerialNumber'],
        [{ 'X-UC-DeviceType': 'UCPhone', 'X-UC-MacAddress': '', 'X-UC-SerialNumber': ' ' }, 'X-UC-MacAddress or X-UC-SerialNumber'],
        [{ 'X-UC-DeviceType': 'UCPhone', 'X-UC-MacAddress': '01-02-03-04-05' }, 'X-UC-MacAddress'],
        [{ 'X-UC-DeviceType': 'UCPhone', 'X-UC-MacAddress': 'zz-zz-zz-zz-zz-zz' }, 'X-UC-MacAddress'],
        [{ 'X-UC-DeviceType': 'UCPhone', 'X-UC-SerialNumber': 'SN 1/2' }, 'X-UC-SerialNumber'],
        [{ 'X-UC-DeviceType': 'UCPhone', 'X-UC-SerialNumber': 'S'.repeat(129) }, 'X-UC-SerialNumber'],
      ];
      for (const [headers, named] of cases) {
        const text = refusal(await upload('CELog', 'a.txt', Buffer.from('x'), headers), 400, 'BadRequest');
        expect({ headers, named: text.includes(named) }).toEqual({ headers, named: true });
      }
    });

    it('refuses an empty log (400)', async () => {
      refusal(await upload('CELog', 'empty.txt', Buffer.alloc(0)), 400, 'BadRequest');
      refusal(await rawPut('/RequestHandler/Logs/CELog/empty.txt', identity(), [Buffer.alloc(0)]).then(withText), 400, 'BadRequest');
    });

    it('refuses a log larger than maxLogFileSize by its Content-Length, before reading it (413)', async () => {
      const answer = await rawPut('/RequestHandler/Logs/CELog/big.txt', identity(), randomBytes(MAX_FILE + 1));
      const text = refusal(withText(answer), 413, 'RequestTooLarge');
      expect(text).toContain(`${MAX_FILE} bytes`);
    });

    it('refuses a chunked log that grows past maxLogFileSize while it streams (413), and closes the connection', async () => {
      const chunks = Array.from({ length: 12 }, () => randomBytes(512));
      const answer = await rawPut('/RequestHandler/Logs/CELog/growing.txt', identity(), chunks);
      refusal(withText(answer), 413, 'RequestTooLarge');
      expect(answer.headers.connection).toBe('close');
      // The node still answers afterwards.
      await upload('CELog', 'after.txt', Buffer.from('x')).expect(201);
      rowsBefore++;
      objectsBefore = await objectsUnderLogs();
    });

    it('refuses a log when the store is over its quota, maxLogCacheLimit in KB (507)', async () => {
      try {
        // Room for between 1 and 2 KB more.
        await configure({ maxLogCacheLimit: (await storedKilobytes()) + 1 });
        const text = refusal(withText(await rawPut('/RequestHandler/Logs/CELog/full.txt', identity(), randomBytes(3000))), 507, 'InsufficientStorage');
        expect(text).toContain('MaxLogCacheLimit');
        // Chunked, the quota is counted while the body streams.
        const chunked = await rawPut('/RequestHandler/Logs/CELog/full.txt', identity(), Array.from({ length: 6 }, () => randomBytes(500)));
        refusal(withText(chunked), 507, 'InsufficientStorage');
        // A small one still fits...
        await upload('CELog', 'fits.txt', Buffer.from('small')).expect(201);
        rowsBefore++;
        objectsBefore = await objectsUnderLogs();
        // ... and once the store is over, nothing does.
        await configure({ maxLogCacheLimit: 1 });
        refusal(await upload('CELog', 'tiny.txt', Buffer.from('x')), 507, 'InsufficientStorage');
      } finally {
        await configure({ maxLogCacheLimit: 512000 });
      }
    });

    it('reduces hostile file names to a safe base name, or refuses them, never using them as a path', async () => {
      const passwd = await upload('CELog', '..%2F..%2Fetc%2Fpasswd.txt', Buffer.from('p')).expect(201);
      const backslash = await upload('CELog', '..%5Cx.txt', Buffer.from('b')).expect(201);
      const control = await upload('CELog', 'evil%0D%0AX-Injected%3A%201%00.txt', Buffer.from('c')).expect(201);
      rowsBefore += 3;
      objectsBefore = await objectsUnderLogs();
      const names = await Promise.all(
        [passwd, backslash, control].map(async (answer) => (await api().get(answer.headers.location).set(as(VIEWER)).expect(200)).body.fileName),
      );
      expect(names).toEqual(['passwd.txt', 'x.txt', 'evilX-Injected: 1.txt']);
      const content = await api().get(`${control.headers.location}/content`).set(as(VIEWER)).expect(200);
      expect(content.headers['content-disposition']).toBe(
        `attachment; filename="evilX-Injected: 1.txt"; filename*=UTF-8''evilX-Injected%3A%201.txt`,
      );
      expect(content.headers['x-injected']).toBeUndefined();

      refusal(await upload('CELog', '%2e%2e', Buffer.from('x')), 400, 'BadRequest');
      refusal(await upload('CELog', '..', Buffer.from('x')), 400, 'BadRequest');
      // Not even a route: the path has more segments than a log's.
      const traversal = await rawPut('/RequestHandler/Logs/CELog/../../etc/passwd', identity(), Buffer.from('x'));
      expect(traversal.status).toBeGreaterThanOrEqual(400);
      expect(traversal.status).toBeLessThan(500);
      for (const row of await dataSource.query(`SELECT object_key FROM device_logs`)) {
        expect(row.object_key).toMatch(KEY);
      }
    });
  });

  function withText(answer: Answer): Answer & { text: string } {
    return { ...answer, text: answer.body };
  }

  describe('the other routes keep their body parsing', () => {
    it('parses JSON for the admin API and refuses other types there as before', async () => {
      await api().put('/api/v1/configuration/global').set(as(ADMIN)).send({ logFlushInterval: '00:06:00' }).expect(200);
      const plain = await api().put('/api/v1/configuration/global').set(as(ADMIN)).set('Content-Type', 'text/plain').send('{"logFlushInterval":"00:07:00"}');
      expect(plain.status).toBe(400);
      expect(plain.body.error.code).toBe('BadRequest');
      for (const type of ['application/xml', 'text/xml']) {
        const xml = await api().put('/api/v1/configuration/global').set(as(ADMIN)).set('Content-Type', type).send('<x/>');
        expect([400, 415]).toContain(xml.status);
        expect(xml.body.error.code).toEqual(expect.any(String));
      }
      const octets = await api().put('/api/v1/configuration/global').set(as(ADMIN)).set('Content-Type', 'application/octet-stream').send(Buffer.from('{}'));
      expect([400, 415]).toContain(octets.status);
      expect((await api().get('/api/v1/configuration/global').set(as(ADMIN)).expect(200)).body.logFlushInterval).toBe('00:06:00');
    });

    it('leaves the update check to its own XML parsing', async () => {
      const answer = await api()
        .post('/RequestHandler/ucdevice.upx')
        .set('Content-Type', 'text/xml')
        .send('<?xml version="1.0"?><Request><DeviceType>UCPhone</DeviceType></Request>');
      expect(answer.status).toBe(400);
      expect(answer.headers['content-type']).toBe('text/xml; charset=utf-8');
    });
  });

  describe('GET /api/v1/device-logs', () => {
    const ids: string[] = [];

    beforeAll(async () => {
      for (const [logType, name, mac, serial, deviceType] of [
        ['Watson', 'w1.dmp', OTHER_MAC, null, 'RoundTable'],
        ['CELog', 'c1.clg', OTHER_MAC, null, 'RoundTable'],
        ['Config', 'cfg.xml', null, 'SN-OTHER-9', 'RoundTable'],
        ['DiagLog', 'd1.txt', OTHER_MAC, 'SN-OTHER-9', 'RoundTable'],
      ] as const) {
        const answer = await upload(logType, name, randomBytes(10), identity(mac, serial, deviceType)).expect(201);
        ids.push(answer.headers.location.split('/').pop()!);
      }
    });

    const list = (query: Record<string, string | number>, token = VIEWER) => api().get('/api/v1/device-logs').query(query).set(as(token));

    it('lists newest first, filtered by device, type and time', async () => {
      const byMac = await list({ macAddress: '00:04:f2:00:00:02' }).expect(200);
      expect(byMac.body.items.map((item: { id: string }) => item.id)).toEqual([ids[3], ids[1], ids[0]]);
      expect(byMac.body.nextCursor).toBeNull();
      const bySerial = await list({ serialNumber: 'SN-OTHER-9' }).expect(200);
      expect(bySerial.body.items.map((item: { id: string }) => item.id)).toEqual([ids[3], ids[2]]);
      const byType = await list({ deviceType: 'roundtable', logType: 'celog' }).expect(200);
      expect(byType.body.items.map((item: { id: string }) => item.id)).toEqual([ids[1]]);
      const [first] = await dataSource.query(`SELECT created_at FROM device_logs WHERE id = $1`, [ids[1]]);
      const [last] = await dataSource.query(`SELECT created_at FROM device_logs WHERE id = $1`, [ids[3]]);
      const between = await list({ deviceType: 'RoundTable', since: first.created_at.toISOString(), until: last.created_at.toISOString() }).expect(200);
      expect(between.body.items.map((item: { id: string }) => item.id)).toEqual([ids[2], ids[1]]);
    });

    it('pages with a cursor, each log once', async () => {
      const all = (await list({ limit: 1000 }).expect(200)).body.items.map((item: { id: string }) => item.id);
      expect(all.length).toBeGreaterThan(5);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await list({ limit: 2, ...(cursor ? { cursor } : {}) }).expect(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((item: { id: string }) => item.id));
        cursor = page.body.nextCursor;
      } while (cursor !== null);
      expect(seen).toEqual(all);
    });

    it('refuses bad filters and cursors naming them (400), unknown ids (404) and non-UUID ids (400)', async () => {
      expect((await list({ macAddress: 'nope' }).expect(400)).body.error.details.field).toBe('macAddress');
      expect((await list({ since: 'yesterday' }).expect(400)).body.error.details.field).toBe('since');
      expect((await list({ cursor: 'bm90LWEtY3Vyc29y' }).expect(400)).body.error.details.field).toBe('cursor');
      expect((await list({ limit: 0 }).expect(400)).body.error.details.field).toBe('limit');
      const unknown = '6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f';
      expect((await api().get(`/api/v1/device-logs/${unknown}`).set(as(VIEWER)).expect(404)).body.error.code).toBe('NotFound');
      expect((await api().get(`/api/v1/device-logs/${unknown}/content`).set(as(VIEWER)).expect(404)).body.error.code).toBe('NotFound');
      expect((await api().get('/api/v1/device-logs/not-a-uuid').set(as(VIEWER)).expect(400)).body.error.details.field).toBe('id');
      expect((await api().get('/api/v1/device-logs/not-a-uuid/content').set(as(VIEWER)).expect(400)).body.error.details.field).toBe('id');
    });

    it('needs a token, any role', async () => {
      await api().get('/api/v1/device-logs').expect(401);
      await api().get(`/api/v1/device-logs/${ids[0]}`).expect(401);
      await api().get(`/api/v1/device-logs/${ids[0]}/content`).expect(401);
    });

    it('is in the OpenAPI document, and the phone route is not', async () => {
      const document = (await api().get('/api/docs-json').expect(200)).body;
      expect(Object.keys(document.paths)).toEqual(
        expect.arrayContaining(['/api/v1/device-logs', '/api/v1/device-logs/{id}', '/api/v1/device-logs/{id}/content']),
      );
      expect(document.paths['/api/v1/device-logs'].get.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(
        expect.arrayContaining(['limit', 'cursor', 'macAddress', 'serialNumber', 'deviceType', 'logType', 'since', 'until']),
      );
      expect(Object.keys(document.paths).some((path) => path.toLowerCase().includes('requesthandler'))).toBe(false);
    });
  });

  describe('the clean-up', () => {
    let cleanUp: DeviceLogCleanUpHandler;

    beforeAll(() => {
      cleanUp = new DeviceLogCleanUpHandler(config, new Repositories(dataSource, config), storage, redis);
    });

    /** Uploads a log and dates it back: its id and object key. */
    async function logUploaded(ago: string): Promise<{ id: string; object_key: string }> {
      const answer = await upload('CELog', 'old.clg', randomBytes(20)).expect(201);
      const id = answer.headers.location.split('/').pop()!;
      const [[row]] = await dataSource.query(
        `UPDATE device_logs SET created_at = now() - $2::interval WHERE id = $1 RETURNING id, object_key`,
        [id, ago],
      );
      return row;
    }

    it('deletes the logs older than logCleanUpInterval, object and row, once per due moment', async () => {
      await configure({ logCleanUpInterval: '10.00:00:00', logCleanUpTimeOfDay: '03:00' });
      const expired = [await logUploaded('10 days 1 hour'), await logUploaded('30 days'), await logUploaded('365 days')];
      const kept = await logUploaded('9 days 23 hours');
      const recent = await logUploaded('0 seconds');
      const rowsBefore = await countRows();

      const outcome = await cleanUp.handle(new Date());
      expect(outcome).toMatchObject({ ran: true, deleted: 3 });
      expect(await countRows()).toBe(rowsBefore - 3);
      for (const row of expired) {
        expect(await storage.stat(row.object_key)).toBeNull();
        await api().get(`/api/v1/device-logs/${row.id}`).set(as(VIEWER)).expect(404);
      }
      for (const row of [kept, recent]) {
        expect(await storage.stat(row.object_key)).not.toBeNull();
        await api().get(`/api/v1/device-logs/${row.id}/content`).set(as(VIEWER)).expect(200);
      }

      // The same due moment is not cleaned up twice, however often the job runs.
      await dataSource.query(`UPDATE device_logs SET created_at = now() - interval '11 days' WHERE id = $1`, [kept.id]);
      expect(await cleanUp.handle(new Date())).toMatchObject({ ran: false, deleted: 0 });
      expect(await countRows()).toBe(rowsBefore - 3);
    });

    it('cleans up hourly when no time of day is set, and answers a row whose object is gone as not found', async () => {
      await configure({ logCleanUpTimeOfDay: null });
      const orphan = await logUploaded('20 days');
      // As if a clean-up stopped between deleting the object and the row.
      await storage.remove(orphan.object_key);
      await api().get(`/api/v1/device-logs/${orphan.id}/content`).set(as(VIEWER)).expect(404);
      const inAnHour = new Date(Date.now() + 3_600_000);
      const outcome = await cleanUp.handle(inAnHour);
      expect(outcome.ran).toBe(true);
      expect(outcome.deleted).toBeGreaterThanOrEqual(1);
      await api().get(`/api/v1/device-logs/${orphan.id}`).set(as(VIEWER)).expect(404);
      const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM device_logs WHERE created_at < now() - interval '10 days'`);
      expect(n).toBe(0);
      expect(await cleanUp.handle(inAnHour)).toMatchObject({ ran: false });
      // Every object under logs/ has its row, and every row its object.
      expect((await objectsUnderLogs()).sort()).toEqual(
        (await dataSource.query(`SELECT object_key FROM device_logs`)).map((row: { object_key: string }) => row.object_key).sort(),
      );
    });
  });
});
