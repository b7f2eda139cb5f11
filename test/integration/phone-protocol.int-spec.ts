import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '@ucupdates/config';
import { auditRequestId } from '@ucupdates/database';
import { Metrics } from '@ucupdates/observability';
import { ObjectStorage } from '@ucupdates/storage';
import { XMLParser } from 'fast-xml-parser';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { Frontend } from '../../apps/frontend/src/frontend';
import { PoolStateService } from '../../apps/frontend/src/devices/pool-state/pool-state.service';
import { RequestAuditWriter } from '../../apps/frontend/src/devices/request-audit/request-audit-writer';
import { CatalogSeed, type SeededFile } from '../support/catalog-seed';
import { prepareServices, startTestFrontend } from '../support/harness';
import { type RawRequest, type RawResponse, rawRequest } from '../support/raw-http';
import { suiteResources, testConfig } from '../support/test-environment';
import { waitFor } from '../support/waiting';

const suite = suiteResources(__filename);

const ADMIN = 'phone-protocol-admin-token-0123';
const MAC = '00-04-F2-AB-CD-EF';
const TEST_MAC = '00-04-F2-00-00-01';
const SERIAL_TEST = 'SN-TEST_0001';

interface CheckOptions {
  mac?: string;
  serial?: string;
  model?: string;
  locale?: string;
  userId?: string;
  /** A module without updateType is reported by its file name alone. */
  modules?: { updateType?: string; version: string; filename?: string }[];
}

function checkXml(options: CheckOptions = {}): string {
  const modules = (options.modules ?? [])
    .map(
      (module) =>
        `<Module>${module.updateType === undefined ? '' : `<UpdateType>${module.updateType}</UpdateType>`}` +
        `<Filename>${module.filename ?? 'CPE.nbt'}</Filename>` +
        `<Version>${module.version}</Version><Timestamp>2026-11-27T08:00:00Z</Timestamp></Module>`,
    )
    .join('');
  return (
    `<?xml version="1.0" encoding="utf-8"?><Request><DeviceType>UCPhone</DeviceType>` +
    `<MacAddress>${options.mac ?? ''}</MacAddress><SerialNumber>${options.serial ?? ''}</SerialNumber>` +
    `<Vendor>Polycom</Vendor><Model>${options.model ?? 'CX600'}</Model><Revision>A</Revision>` +
    `<Locale>${options.locale ?? 'ENU'}</Locale>${options.userId ? `<UserId>${options.userId}</UserId>` : ''}` +
    `<Modules>${modules}</Modules></Request>`
  );
}

interface AnswerFile {
  Name: string;
  Url: string;
  Size: string;
  Sha256: string;
}
interface AnswerModule {
  UpdateType: string;
  Action: string;
  Version: string;
  Files?: { File: AnswerFile[] } | '';
  BaseURL: string;
  ExternalBaseURL: string;
  Filename?: string;
  SignatureFilename?: string;
}

const xml = new XMLParser({ parseTagValue: false, isArray: (name) => ['Module', 'File'].includes(name) });
function parseAnswer(text: string): { numOfFiles: number; modules: AnswerModule[]; error?: string; message?: string } {
  const { Response: response } = xml.parse(text) as {
    Response: { NumOfFiles?: string; Modules?: { Module: AnswerModule[] }; Error?: string; Message?: string };
  };
  return {
    numOfFiles: Number(response.NumOfFiles),
    modules: response.Modules?.Module ?? [],
    error: response.Error,
    message: response.Message,
  };
}

function filesOf(module: AnswerModule): AnswerFile[] {
  return module.Files ? module.Files.File : [];
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const image = (text: string, size = 4096) => Buffer.concat([Buffer.from(text), randomBytes(size)]);

describe('phone protocol (update checks, downloads, external access)', () => {
  let config: Config;
  let frontend: Frontend;
  /** Every answered check's row shipped from the node's journal to Postgres (docs/phones.md). */
  const audited = () => frontend.core.get(RequestAuditWriter).flush();
  let dataSource: DataSource;
  let seed: CatalogSeed;
  let replicaDir: string;
  let v1: SeededFile[];
  let v2: SeededFile[];
  let v3: SeededFile[];
  let ucsFiles: SeededFile[];
  const internal = () => request(frontend.internal.getHttpServer());
  const external = () => request(frontend.external.getHttpServer());
  const check = (body: string) => internal().post('/RequestHandler/ucdevice.upx').set('Content-Type', 'text/xml').send(body);
  const reload = () => frontend.core.get(PoolStateService).reload();

  beforeAll(async () => {
    replicaDir = await mkdtemp(join(tmpdir(), 'ucu-phone-replica-'));
    config = testConfig({
      DATABASE_URL: await suite.recreateDatabase(), REDIS_URL: suite.redisUrl,
      UCU_BOOTSTRAP_ADMIN_TOKEN: ADMIN,
      UCU_REPLICA_DIR: replicaDir,
      UCU_AUTH_FAILURE_LIMIT: '3',
      UCU_AUTH_FAILURE_WINDOW_SECONDS: '60',
      UCU_NODE_ID: 'phone-node',
    });
    await prepareServices(config);
    frontend = await startTestFrontend(config);
    dataSource = frontend.core.get(DataSource);
    seed = new CatalogSeed(dataSource, frontend.core.get(ObjectStorage), replicaDir);

    // CX600 CPE: 1.0 was approved before, 2.0 is approved now, 3.0 is pending (test devices get it).
    const cpe = await seed.rule();
    await seed.version(cpe, '1.0', [{ name: 'CPE.nbt', role: 'image', content: image('one') }]);
    v2 = await seed.version(cpe, '4.0.7577.4372', [
      { name: 'CPE.nbt', role: 'image', content: image('two', 300_000) },
      { name: 'CPE.cat', role: 'catalog', content: image('two-cat', 512) },
    ]);
    v3 = await seed.version(cpe, '4.0.7577.4400', [
      { name: 'CPE.nbt', role: 'image', content: image('three') },
      { name: 'CPE.cat', role: 'catalog', content: image('three-cat', 256) },
    ]);
    await seed.state(cpe, { approved: '4.0.7577.4372', pending: '4.0.7577.4400', restore: '1.0' });
    // CX600 UCS: a second update type of the same device kind; its only file is not in the replica store.
    const ucs = await seed.rule({ updateType: 'UCS' });
    ucsFiles = await seed.version(ucs, '7.1', [{ name: 'ucs image.bin', role: 'image', content: image('ucs', 20_000) }], {
      replica: false,
    });
    await seed.state(ucs, { approved: '7.1' });
    // CX700 CPE: rolled back from 5.0 to nothing.
    const rolledBack = await seed.rule({ model: 'CX700' });
    v1 = await seed.version(rolledBack, '5.0', [{ name: 'CPE.nbt', role: 'image', content: image('five') }]);
    await seed.state(rolledBack, { rolledBack: '5.0' });
    // A DDI rule of the same vendor and model: for DDI devices only, never for phones.
    const ddi = await seed.rule({ deviceType: 'DDI', revision: 'A', updateType: 'os' });
    await seed.version(ddi, '2.4.1', [{ name: 'gateway-2.4.1.swu', role: 'image', content: image('swu') }]);
    await seed.state(ddi, { approved: '2.4.1' });
    await reload();

    const admin = { Authorization: `Bearer ${ADMIN}` };
    await internal()
      .post('/api/v1/test-devices')
      .set(admin)
      .send({ scope: 'global', name: 'lab phone', identifierType: 'MACAddress', identifier: '00:04:f2:00:00:01' })
      .expect(201);
    await internal()
      .post('/api/v1/test-devices')
      .set(admin)
      .send({ scope: 'global', name: 'lab serial', identifierType: 'SerialNumber', identifier: SERIAL_TEST })
      .expect(201);
    await internal().post('/api/v1/phone-users').set(admin).send({ userId: 'sip:alice@contoso.com', password: 'Pa55word!' }).expect(201);
    await reload();
  }, 60_000);

  afterAll(async () => {
    await frontend?.close();
    await rm(replicaDir, { recursive: true, force: true });
  });

  describe('update check', () => {
    it('answers NumOfFiles 0 when no rule applies, and audits the check', async () => {
      const response = await check(checkXml({ mac: '00:04:f2:99:99:99', model: 'NoSuchModel' }))
        .expect(200)
        .expect('Content-Type', 'text/xml; charset=utf-8');
      expect(parseAnswer(response.text)).toMatchObject({ numOfFiles: 0, modules: [] });
      await audited();
      const [row] = await dataSource.query(`SELECT * FROM request_audit WHERE request_id = $1`, [response.headers['x-request-id']]);
      expect(row).toMatchObject({ mac_address: '00-04-F2-99-99-99', model: 'NoSuchModel', node_id: 'phone-node', external: false, status: 200 });
      expect(row.response_modules).toEqual([]);
    });

    it('offers a device the approved version of every update type, with absolute URLs, sizes and SHA-256', async () => {
      const response = await check(checkXml({ mac: MAC, modules: [{ updateType: 'CPE', version: '1.0' }] }))
        .set('X-Forwarded-Proto', 'https')
        .set('X-Forwarded-Host', 'pool.contoso.com')
        .expect(200);
      const answer = parseAnswer(response.text);
      expect(answer.modules.map((module) => [module.UpdateType, module.Action, module.Version])).toEqual([
        ['CPE', 'Install', '4.0.7577.4372'],
        ['UCS', 'Install', '7.1'],
      ]);
      const cpe = answer.modules[0];
      expect(filesOf(cpe)).toEqual([
        {
          Name: 'CPE.cat',
          Url: 'https://pool.contoso.com/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/CPE.cat',
          Size: String(v2[1].content.length),
          Sha256: v2[1].sha256,
        },
        {
          Name: 'CPE.nbt',
          Url: 'https://pool.contoso.com/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/CPE.nbt',
          Size: String(v2[0].content.length),
          Sha256: v2[0].sha256,
        },
      ]);
      expect(cpe).toMatchObject({
        Filename: 'CPE.nbt',
        SignatureFilename: 'CPE.cat',
        // Not configured (UCU_INTERNAL_BASE_URL, UCU_EXTERNAL_BASE_URL): the listener's own for
        // its kind, and the other present and empty.
        BaseURL: 'https://pool.contoso.com/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE',
        ExternalBaseURL: '',
      });
      expect(Object.keys(cpe)).toEqual(['UpdateType', 'Action', 'Version', 'Files', 'BaseURL', 'ExternalBaseURL', 'Filename', 'SignatureFilename', 'Timestamp']);
      expect(filesOf(answer.modules[1])[0].Url).toBe(
        'https://pool.contoso.com/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/7.1/UCS/ucs%20image.bin',
      );
      expect(answer.numOfFiles).toBe(3);
    });

    it('tells a phone that names the device type DDI nothing: DDI rules are for DDI devices', async () => {
      const response = await check(checkXml({ mac: '00:04:f2:99:99:98' }).replace('<DeviceType>UCPhone</DeviceType>', '<DeviceType>DDI</DeviceType>')).expect(200);
      expect(parseAnswer(response.text)).toMatchObject({ numOfFiles: 0, modules: [] });
      await internal().get('/DeviceUpdateFiles_Int/DDI/Polycom/CX600/A/ENU/2.4.1/os/gateway-2.4.1.swu').expect(404);
    });

    it('builds URLs from the Host header when no trusted proxy forwarded one', async () => {
      const response = await check(checkXml({ mac: MAC })).set('Host', 'node1.contoso.com:8000').expect(200);
      expect(filesOf(parseAnswer(response.text).modules[0])[0].Url).toMatch(/^http:\/\/node1\.contoso\.com:8000\/DeviceUpdateFiles_Int\//);
    });

    it('offers test devices the pending version, by MAC in any form or by serial number', async () => {
      for (const identity of [{ mac: '0004f2000001' }, { mac: '00:04:F2:00:00:01' }, { serial: SERIAL_TEST }]) {
        const answer = parseAnswer((await check(checkXml(identity)).expect(200)).text);
        expect(answer.modules.find((module) => module.UpdateType === 'CPE')?.Version).toBe('4.0.7577.4400');
      }
      await audited();
      const [device] = await dataSource.query(`SELECT is_test_device FROM devices WHERE device_key = $1`, [`serial:${SERIAL_TEST}`]);
      expect(device.is_test_device).toBe(true);
    });

    it('sends nothing for the version a device runs, and an older approved version to a device that runs a newer one', async () => {
      const same = parseAnswer(
        (await check(checkXml({ mac: MAC, modules: [{ updateType: 'cpe', version: '4.0.7577.4372' }, { updateType: 'UCS', version: '7.1' }] })).expect(200)).text,
      );
      expect(same).toEqual({ numOfFiles: 0, modules: [], error: undefined, message: undefined });
      const newer = parseAnswer(
        (await check(checkXml({ mac: MAC, modules: [{ updateType: 'CPE', version: '9.9' }, { updateType: 'UCS', version: '7.1' }] })).expect(200)).text,
      );
      expect(newer.modules.map((module) => module.Version)).toEqual(['4.0.7577.4372']);
    });

    it('tells a device on a rolled-back version to restore its backup, with no files', async () => {
      const answer = parseAnswer((await check(checkXml({ mac: MAC, model: 'CX700', modules: [{ updateType: 'CPE', version: '5.0' }] })).expect(200)).text);
      expect(answer.numOfFiles).toBe(0);
      expect(answer.modules).toHaveLength(1);
      expect(answer.modules[0]).toMatchObject({
        UpdateType: 'CPE',
        Action: 'RestoreBackup',
        Version: '5.0',
        BaseURL: expect.stringMatching(/\/DeviceUpdateFiles_Int\/UCPhone\/Polycom\/CX700\/A\/ENU\/5\.0\/CPE$/),
        ExternalBaseURL: '',
      });
      expect(filesOf(answer.modules[0])).toEqual([]);
      const other = parseAnswer((await check(checkXml({ mac: MAC, model: 'CX700', modules: [{ updateType: 'CPE', version: '4.0' }] })).expect(200)).text);
      expect(other.modules).toEqual([]);
      expect(v1).toHaveLength(1);
    });

    it('knows a module without UpdateType by its image file name, else by the file name\'s base', async () => {
      const mac = '00-04-F2-33-33-33';
      const answer = parseAnswer(
        (await check(checkXml({ mac, modules: [{ filename: 'cpe.NBT', version: '4.0.7577.4372' }, { filename: 'UCS IMAGE.bin', version: '7.1' }] })).expect(200)).text,
      );
      expect(answer).toMatchObject({ numOfFiles: 0, modules: [] });
      await audited();
      const [device] = await dataSource.query(`SELECT modules FROM devices WHERE device_key = $1`, [`mac:${mac}`]);
      expect(device.modules).toEqual([
        { updateType: 'CPE', version: '4.0.7577.4372' },
        { updateType: 'UCS', version: '7.1' },
      ]);
      // No rule has an image of that name: the base of the name is the update type.
      await check(checkXml({ mac, modules: [{ filename: 'Tanjay.nbt', version: '1.0' }] })).expect(200);
      await audited();
      const [after] = await dataSource.query(`SELECT modules FROM devices WHERE device_key = $1`, [`mac:${mac}`]);
      expect(after.modules).toEqual([{ updateType: 'Tanjay', version: '1.0' }]);
      // The audit keeps the module as the phone reported it.
      await audited();
      const [row] = await dataSource.query(`SELECT request_modules FROM request_audit WHERE mac_address = $1 ORDER BY at DESC LIMIT 1`, [mac]);
      expect(row.request_modules).toEqual([{ filename: 'Tanjay.nbt', version: '1.0', timestamp: '2026-11-27T08:00:00Z' }]);
    });

    it('refuses two modules of one update type, named or found by file name, with 400', async () => {
      const response = await check(
        checkXml({ mac: MAC, modules: [{ updateType: 'CPE', version: '1.0' }, { filename: 'CPE.nbt', version: '2.0' }] }),
      ).expect(400);
      expect(parseAnswer(response.text)).toMatchObject({ error: 'BadRequest', message: expect.stringContaining('UpdateType "CPE"') });
    });

    it('keeps the inventory: modules, last node, address and user of the latest check', async () => {
      await check(checkXml({ mac: '00-04-F2-11-11-11', userId: 'sip:bob@contoso.com', modules: [{ updateType: 'CPE', version: '1.0' }] })).expect(200);
      await check(checkXml({ mac: '00-04-f2-11-11-11', modules: [{ updateType: 'CPE', version: '4.0.7577.4372' }] })).expect(200);
      await audited();
      const rows = await dataSource.query(`SELECT * FROM devices WHERE device_key = 'mac:00-04-F2-11-11-11'`);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        mac_address: '00-04-F2-11-11-11',
        model: 'CX600',
        modules: [{ updateType: 'CPE', version: '4.0.7577.4372' }],
        last_node_id: 'phone-node',
        last_user_id: 'sip:bob@contoso.com',
        is_test_device: false,
      });
      expect(rows[0].last_address).toMatch(/127\.0\.0\.1/);
    });

    it('writes one audit row per answered check, many per statement under load (shipped from the journal)', async () => {
      await audited();
      const before = Number((await dataSource.query(`SELECT count(*) FROM request_audit`))[0].count);
      const answers = await Promise.all(
        Array.from({ length: 60 }, (_, index) => check(checkXml({ mac: `00-04-F2-22-22-${index.toString(16).padStart(2, '0')}` }))),
      );
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      await audited();
      const after = Number((await dataSource.query(`SELECT count(*) FROM request_audit`))[0].count);
      expect(after - before).toBe(60);
      const ids = answers.map((answer) => answer.headers['x-request-id']);
      const rows = await dataSource.query(`SELECT count(*) FROM request_audit WHERE request_id = ANY($1::uuid[])`, [ids]);
      expect(Number(rows[0].count)).toBe(60);
    });

    it('ships checks answered one after another at most once every 100 ms, unasked (decision 79)', async () => {
      await audited();
      const shipments = async () => (await frontend.core.get(Metrics).auditBatchSize.get()).values.find((value) => value.metricName?.endsWith('_count'))?.value ?? 0;
      const before = await shipments();
      const started = performance.now();
      const ids: string[] = [];
      for (let index = 0; index < 30; index++) {
        const answer = await check(checkXml({ mac: `00-04-F2-33-33-${index.toString(16).padStart(2, '0')}` })).expect(200);
        ids.push(answer.headers['x-request-id']);
      }
      const answering = performance.now() - started;
      // Nothing flushed: the node ships by itself, within about a second (decision 56).
      await waitFor('the 30 checks in Postgres', 10_000, async () => {
        const rows = await dataSource.query(`SELECT count(*) FROM request_audit WHERE request_id = ANY($1::uuid[])`, [ids]);
        return Number(rows[0].count) === 30;
      }, 50);
      // One shipment per group commit would be 30 statements; one per 100 ms at most, and the last.
      const statements = (await shipments()) - before;
      expect(statements).toBeGreaterThanOrEqual(1);
      expect(statements).toBeLessThanOrEqual(Math.floor(answering / 100) + 2);
    });

    it('writes a check the load balancer sent twice (same X-Request-Id) once', async () => {
      const id = 'haproxy-7f3a2b1c-0001';
      await check(checkXml({ mac: MAC })).set('X-Request-Id', id).expect(200);
      await check(checkXml({ mac: MAC })).set('X-Request-Id', id).expect(200);
      await audited();
      const rows = await dataSource.query(`SELECT count(*) FROM request_audit WHERE request_id = $1`, [auditRequestId(id)]);
      expect(Number(rows[0].count)).toBe(1);
    });

    it.each([
      ['not XML', 'hello', /not well-formed|XML/i],
      ['a DTD', '<?xml version="1.0"?><!DOCTYPE Request [<!ENTITY x "y">]><Request><DeviceType>UCPhone</DeviceType></Request>', /DTD|DOCTYPE|entit/i],
      ['another root element', '<Answer><DeviceType>UCPhone</DeviceType></Answer>', /Request/],
      ['no model', checkXml({ mac: MAC }).replace('<Model>CX600</Model>', ''), /Model/],
      ['neither MAC nor serial', checkXml({}), /MacAddress|SerialNumber/],
      ['a bad MAC', checkXml({ mac: '01-02-03-04-05' }), /MAC|MacAddress/i],
      ['a bad serial number', checkXml({ serial: 'no spaces allowed' }), /SerialNumber|serial/i],
    ])('refuses %s with 400 BadRequest in XML', async (_case, body, message) => {
      const response = await check(body).expect(400).expect('Content-Type', 'text/xml; charset=utf-8');
      const answer = parseAnswer(response.text);
      expect(answer.error).toBe('BadRequest');
      expect(answer.message).toMatch(message);
    });

    it('refuses a body over 64 KiB with 413 and another media type with 415, in XML', async () => {
      const big = checkXml({ mac: MAC }).replace('</Request>', `<Padding>${'x'.repeat(64 * 1024)}</Padding></Request>`);
      expect(parseAnswer((await check(big).expect(413)).text).error).toBe('RequestTooLarge');
      const json = await internal().post('/RequestHandler/ucdevice.upx').set('Content-Type', 'application/json').send('{"a":1}').expect(415);
      expect(parseAnswer(json.text).error).toBe('UnsupportedMediaType');
    });

    describe('the body as it comes over the wire', () => {
      /** The internal listener on a port of its own, for requests a client library does not send. */
      const send = async (head: [string, string][], body?: string, options: Partial<RawRequest> = {}) => {
        const server = frontend.internal.getHttpServer();
        if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const { port } = server.address() as AddressInfo;
        return rawRequest('127.0.0.1', port, { method: 'POST', path: '/RequestHandler/ucdevice.upx', headers: head, body, ...options });
      };
      const chunked = (...pieces: string[]) => `${pieces.map((piece) => `${Buffer.byteLength(piece).toString(16)}\r\n${piece}\r\n`).join('')}0\r\n\r\n`;
      const refusal = (response: RawResponse) => ({
        status: response.status,
        type: response.headers['content-type'],
        error: parseAnswer(response.body.toString('utf8')).error,
      });

      it.each(['text/xml', 'application/xml', 'text/xml; charset=utf-8', 'Application/XML;charset="UTF-8"', 'text/xml; charset=utf-16', 'text/plain'])(
        'answers a check sent as %s',
        async (type) => {
          const response = await send([['Content-Type', type]], checkXml({ mac: MAC }));
          expect(response.status).toBe(200);
          expect(parseAnswer(response.body.toString('utf8')).numOfFiles).toBe(3);
        },
      );

      it('answers a check sent in chunks', async () => {
        const body = checkXml({ mac: MAC });
        const response = await send([['Content-Type', 'text/xml'], ['Transfer-Encoding', 'chunked']], chunked(body.slice(0, 100), body.slice(100)), {
          noContentLength: true,
        });
        expect(response.status).toBe(200);
        expect(parseAnswer(response.body.toString('utf8')).numOfFiles).toBe(3);
      });

      it('refuses a Content-Length over 64 KiB with 413 in XML before the body is sent, and closes', async () => {
        // Only the head and a few bytes go out: the answer comes without the rest of the body.
        const response = await send([['Content-Type', 'text/xml'], ['Content-Length', String(64 * 1024 + 1)]], '<Request>', { noContentLength: true });
        expect(refusal(response)).toEqual({ status: 413, type: 'text/xml; charset=utf-8', error: 'RequestTooLarge' });
        expect(response.headers.connection).toBe('close');
      });

      it('refuses a chunked body that grows over 64 KiB with 413 in XML', async () => {
        const piece = 'x'.repeat(16 * 1024);
        const response = await send([['Content-Type', 'text/xml'], ['Transfer-Encoding', 'chunked']], chunked(piece, piece, piece, piece, 'x'), {
          noContentLength: true,
        });
        expect(refusal(response)).toEqual({ status: 413, type: 'text/xml; charset=utf-8', error: 'RequestTooLarge' });
        expect(response.headers.connection).toBe('close');
      });

      it('refuses a body without Content-Type, and an empty XML body, in XML', async () => {
        expect(refusal(await send([], checkXml({ mac: MAC })))).toEqual({ status: 415, type: 'text/xml; charset=utf-8', error: 'UnsupportedMediaType' });
        expect(refusal(await send([['Content-Type', 'text/xml']], ''))).toEqual({ status: 400, type: 'text/xml; charset=utf-8', error: 'BadRequest' });
      });

      it('keeps answering after a phone that stopped mid-body: gone, or with its side closed (400 in XML, from the HTTP server)', async () => {
        const head: [string, string][] = [['Content-Type', 'text/xml'], ['Content-Length', '1000']];
        const gone = await send(head, '<Request>', { noContentLength: true, timeoutMs: 300 });
        expect(gone).toMatchObject({ status: 0, failure: 'timeout' });
        const halfClosed = await send(head, '<Request>', { noContentLength: true, halfClose: true });
        expect(refusal(halfClosed)).toEqual({ status: 400, type: 'text/xml; charset=utf-8', error: 'BadRequest' });
        expect(halfClosed.headers.connection).toBe('close');
        // The same cut on the admin API: its JSON (client-error.ts).
        const admin = await send([['Content-Type', 'application/json'], ['Content-Length', '1000']], '{"', { path: '/api/v1/rules', noContentLength: true, halfClose: true });
        expect([admin.status, admin.headers['content-type'], JSON.parse(admin.body.toString('utf8')).error.code]).toEqual([400, 'application/json; charset=utf-8', 'BadRequest']);
        const response = await send([['Content-Type', 'text/xml']], checkXml({ mac: MAC }));
        expect(response.status).toBe(200);
      });
    });

    it('matches the path case-insensitively and ignores unknown elements and namespaces', async () => {
      const body = checkXml({ mac: MAC }).replace('<Request>', '<Request xmlns="urn:x"><FutureElement>1</FutureElement>');
      const response = await internal().post('/requesthandler/UCDEVICE.UPX').set('Content-Type', 'application/xml').send(body).expect(200);
      expect(parseAnswer(response.text).numOfFiles).toBe(3);
    });

    it('answers 404 in XML for an unknown phone path', async () => {
      const response = await internal().post('/RequestHandler/nothing.upx').set('Content-Type', 'text/xml').send(checkXml({ mac: MAC })).expect(404);
      expect(parseAnswer(response.text).error).toBe('NotFound');
    });
  });

  describe('downloads', () => {
    const cpeUrl = '/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/CPE.nbt';
    const raw = async (path: string, headers: Record<string, string> = {}) => {
      const server = frontend.internal.getHttpServer();
      if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      return new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.end();
      });
    };

    it('serves a file whole with its ETag, size and type', async () => {
      const response = await internal().get(cpeUrl).buffer(true).parse(binary).expect(200);
      expect(sha256(response.body)).toBe(v2[0].sha256);
      expect(response.headers).toMatchObject({
        etag: `"${v2[0].sha256}"`,
        'accept-ranges': 'bytes',
        'content-type': 'application/octet-stream',
        'content-length': String(v2[0].content.length),
      });
    });

    it('answers HEAD with the headers only, and If-None-Match with 304', async () => {
      const head = await internal().head(cpeUrl).expect(200);
      expect(head.headers['content-length']).toBe(String(v2[0].content.length));
      await internal().get(cpeUrl).set('If-None-Match', `"${v2[0].sha256}"`).expect(304);
      await internal().get(cpeUrl).set('If-None-Match', '"something-else"').expect(200);
    });

    it('serves one range with 206, several as the whole file, and refuses an unsatisfiable one with 416', async () => {
      const part = await internal().get(cpeUrl).set('Range', 'bytes=10-19').buffer(true).parse(binary).expect(206);
      expect(part.headers['content-range']).toBe(`bytes 10-19/${v2[0].content.length}`);
      expect(part.body).toEqual(v2[0].content.subarray(10, 20));
      const suffix = await internal().get(cpeUrl).set('Range', 'bytes=-5').buffer(true).parse(binary).expect(206);
      expect(suffix.body).toEqual(v2[0].content.subarray(v2[0].content.length - 5));
      await internal().get(cpeUrl).set('Range', 'bytes=0-1,5-6').expect(200);
      const refused = await internal().get(cpeUrl).set('Range', `bytes=${v2[0].content.length}-`).expect(416);
      expect(refused.headers['content-range']).toBe(`bytes */${v2[0].content.length}`);
    });

    it('streams a file the replica store lacks from MinIO', async () => {
      const response = await internal()
        .get('/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/7.1/UCS/ucs%20image.bin')
        .buffer(true)
        .parse(binary)
        .expect(200);
      expect(sha256(response.body)).toBe(ucsFiles[0].sha256);
      // ...and asks its worker to fetch the file into the replica store.
      let rows: { state: string }[] = [];
      for (const deadline = Date.now() + 5_000; rows.length === 0 && Date.now() < deadline; ) {
        rows = await dataSource.query(`SELECT state FROM replicas WHERE node_id = 'phone-node' AND sha256 = $1`, [ucsFiles[0].sha256]);
      }
      expect(rows).toEqual([{ state: 'pending' }]);
    });

    it('serves what a phone asks for by appending a file name to BaseURL, and the same under /RequestHandler/Files', async () => {
      const answer = parseAnswer((await check(checkXml({ mac: MAC })).expect(200)).text);
      for (const module of answer.modules) {
        for (const file of filesOf(module)) {
          const base = new URL(module.BaseURL);
          const direct = await internal().get(`${base.pathname}/${encodeURIComponent(file.Name)}`).buffer(true).parse(binary).expect(200);
          expect(sha256(direct.body)).toBe(file.Sha256);
          const alias = base.pathname.replace('/DeviceUpdateFiles_Int/', '/RequestHandler/Files/');
          const aliased = await internal().get(`${alias}/${encodeURIComponent(file.Name)}`).buffer(true).parse(binary).expect(200);
          expect(sha256(aliased.body)).toBe(file.Sha256);
        }
      }
      await internal().head('/requesthandler/files/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/CPE.nbt').expect(200);
      // The version 1 order (update type before version) names no file.
      await internal().get('/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/CPE/4.0.7577.4372/CPE.nbt').expect(404);
    });

    it('serves files of the restore version, matches paths case-insensitively, and nothing else', async () => {
      await internal().get('/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/1.0/CPE/CPE.nbt').expect(200);
      await internal().get('/deviceupdatefiles_int/ucphone/POLYCOM/cx600/a/enu/4.0.7577.4372/cpe/cpe.NBT').expect(200);
      await internal().get('/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/9.9/CPE/CPE.nbt').expect(404);
      await internal().get('/DeviceUpdateFiles_Int/UCPhone/Polycom/CX700/A/ENU/5.0/CPE/CPE.nbt').expect(404);
      expect(v3).toHaveLength(2);
      await internal().get('/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4400/CPE/CPE.nbt').expect(200);
    });

    it.each([
      '/DeviceUpdateFiles_Int/../../../../etc/passwd',
      '/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/../../../../../../etc/passwd',
      '/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/..%2f..%2fetc%2fpasswd',
      '/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/%2e%2e',
      '/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/%252e%252e%252fetc',
      '/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/..%5cCPE.nbt',
      '/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/CPE.nbt%00.txt',
      '/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/%c0%ae%c0%ae',
      '/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE//CPE.nbt',
      `/DeviceUpdateFiles_Int/${'ab'.repeat(32)}`,
      '/RequestHandler/Files/../../../../etc/passwd',
      '/RequestHandler/Files/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/..%2f..%2fetc%2fpasswd',
      // A token segment means nothing on the internal store: nine segments.
      '/DeviceUpdateFiles_Int/~1795852800.AAAA/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/CPE.nbt',
    ])('answers 404 for %s, sent as is', async (path) => {
      const response = await raw(path);
      expect(response.status).toBe(404);
      expect(response.body.toString()).toContain('<Error>NotFound</Error>');
    });
  });

  describe('external listener', () => {
    const alice = { Authorization: `Basic ${Buffer.from('sip:alice@contoso.com:Pa55word!').toString('base64')}` };
    const externalCheck = (body: string) =>
      external().post('/RequestHandlerExt/ucdevice.upx').set('Content-Type', 'text/xml').set('X-Forwarded-For', '203.0.113.7').send(body);

    it('answers a request without credentials 401 AnonymousAccessNotSupported with a Basic challenge', async () => {
      const response = await externalCheck(checkXml({ mac: MAC })).expect(401);
      expect(response.headers['www-authenticate']).toBe('Basic realm="ucupdates"');
      expect(response.text).toContain('<Response><Error>AnonymousAccessNotSupported</Error></Response>');
    });

    it('answers a signed-in user with a token in the path that allows that one folder', async () => {
      const response = await externalCheck(checkXml({ mac: MAC })).set(alice).set('X-Forwarded-Host', 'ucupdates.contoso.com').expect(200);
      const answer = parseAnswer(response.text);
      const cpe = answer.modules[0];
      const url = new URL(filesOf(cpe).find((file) => file.Name === 'CPE.nbt')!.Url);
      expect(url.origin).toBe('http://ucupdates.contoso.com');
      expect(url.search).toBe('');
      const [, store, token, ...rest] = url.pathname.split('/');
      expect(store).toBe('DeviceUpdateFiles_Ext');
      expect(token).toMatch(/^~\d+\.[A-Za-z0-9_-]{43}$/);
      expect(rest.join('/')).toBe('UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/CPE.nbt');
      // On the external listener BaseURL is empty unless configured; ExternalBaseURL is its own folder.
      expect(cpe.BaseURL).toBe('');
      expect(cpe.ExternalBaseURL).toBe(`http://ucupdates.contoso.com/DeviceUpdateFiles_Ext/${token}/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE`);
      const download = await external().get(url.pathname).buffer(true).parse(binary).expect(200);
      expect(sha256(download.body)).toBe(v2[0].sha256);
      // ExternalBaseURL + file name serves every file of the folder, also under /RequestHandlerExt/Files.
      const folder = new URL(cpe.ExternalBaseURL).pathname;
      for (const file of [v2[1], v2[0]]) {
        const byBase = await external().get(`${folder}/${file.name}`).buffer(true).parse(binary).expect(200);
        expect(sha256(byBase.body)).toBe(file.sha256);
        const aliased = await external()
          .get(`${folder.replace('/DeviceUpdateFiles_Ext/', '/RequestHandlerExt/Files/')}/${file.name}`)
          .buffer(true)
          .parse(binary)
          .expect(200);
        expect(sha256(aliased.body)).toBe(file.sha256);
      }
      // An encoded ~ is the same segment; without the token, with it in the query (version 1),
      // in another folder, doubled or forged: 403.
      await external().get(url.pathname.replace('/~', '/%7E')).expect(200);
      await external().get(`/DeviceUpdateFiles_Ext/${rest.join('/')}`).expect(403);
      await external().get(`/DeviceUpdateFiles_Ext/${rest.join('/')}?t=${token.slice(1)}`).expect(403);
      await external().get(url.pathname.replace('/4.0.7577.4372/', '/4.0.7577.4400/')).expect(403);
      await external().get(url.pathname.replace('/CPE/CPE.nbt', '/UCS/CPE.nbt')).expect(403);
      await external().get(url.pathname.replace(`/${token}/`, `/${token}/${token}/`)).expect(403);
      await external().get(url.pathname.replace(/.\/UCPhone\//, (c) => `${c[0] === 'A' ? 'B' : 'A'}/UCPhone/`)).expect(403);
      // A token for a folder whose file does not exist: 404 (the token is checked first).
      await external().get(`${folder}/nothing.bin`).expect(404);
      await audited();
      const [row] = await dataSource.query(`SELECT user_id, external FROM request_audit WHERE request_id = $1`, [response.headers['x-request-id']]);
      expect(row).toEqual({ user_id: 'sip:alice@contoso.com', external: true });
    });

    it('builds BaseURL and ExternalBaseURL from UCU_INTERNAL_BASE_URL and UCU_EXTERNAL_BASE_URL on both listeners', async () => {
      const configured = await startTestFrontend({
        ...config,
        UCU_INTERNAL_BASE_URL: 'http://pool01.contoso.com',
        UCU_EXTERNAL_BASE_URL: 'https://ocsrp.fabrikam.com',
      });
      try {
        const inside = parseAnswer(
          (await request(configured.internal.getHttpServer()).post('/RequestHandler/ucdevice.upx').set('Content-Type', 'text/xml').send(checkXml({ mac: MAC })).expect(200)).text,
        );
        const outside = parseAnswer(
          (
            await request(configured.external.getHttpServer())
              .post('/RequestHandlerExt/ucdevice.upx')
              .set('Content-Type', 'text/xml')
              .set(alice)
              .send(checkXml({ mac: MAC }))
              .expect(200)
          ).text,
        );
        for (const answer of [inside, outside]) {
          const cpe = answer.modules[0];
          expect(cpe.BaseURL).toBe('http://pool01.contoso.com/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE');
          expect(cpe.ExternalBaseURL).toMatch(
            /^https:\/\/ocsrp\.fabrikam\.com\/DeviceUpdateFiles_Ext\/~\d+\.[A-Za-z0-9_-]{43}\/UCPhone\/Polycom\/CX600\/A\/ENU\/4\.0\.7577\.4372\/CPE$/,
          );
          // Files' URLs stay on the address the phone asked.
          expect(filesOf(cpe)[0].Url).toMatch(/^http:\/\/127\.0\.0\.1(:\d+)?\/DeviceUpdateFiles_(Int|Ext)\//);
          // Any node's external listener takes the token (one key for the pool).
          const folder = new URL(cpe.ExternalBaseURL).pathname;
          const download = await external().get(`${folder}/CPE.nbt`).buffer(true).parse(binary).expect(200);
          expect(sha256(download.body)).toBe(v2[0].sha256);
        }
      } finally {
        await configured.close();
      }
    });

    it('refuses wrong credentials 401 AccessDenied, then throttles them 429 with Retry-After', async () => {
      // Redis outlives the run: a user and an address of this run only.
      const run = randomBytes(3).toString('hex');
      const address = `198.51.${parseInt(run.slice(0, 2), 16)}.${parseInt(run.slice(2, 4), 16)}`;
      const wrong = { Authorization: `Basic ${Buffer.from(`sip:mallory-${run}@contoso.com:guess`).toString('base64')}` };
      for (let attempt = 0; attempt < 3; attempt++) {
        const response = await externalCheck(checkXml({ mac: MAC })).set(wrong).set('X-Forwarded-For', address).expect(401);
        expect(response.text).toContain('<Error>AccessDenied</Error>');
      }
      const throttled = await externalCheck(checkXml({ mac: MAC })).set(wrong).set('X-Forwarded-For', address).expect(429);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      expect(throttled.text).toContain('<Error>TooManyRequests</Error>');
      // The address is throttled for every user, even with the right password.
      await externalCheck(checkXml({ mac: MAC })).set(alice).set('X-Forwarded-For', address).expect(429);
    });

    it('takes device logs from signed-in users only', async () => {
      const upload = () =>
        external()
          .put('/RequestHandlerExt/Logs/Watson/crash.dmp')
          .set('Content-Type', 'application/octet-stream')
          .set('X-UC-DeviceType', 'UCPhone')
          .set('X-UC-MacAddress', MAC)
          .send(Buffer.from('a crash dump'));
      const anonymous = await upload().expect(401);
      expect(anonymous.text).toContain('<Error>AnonymousAccessNotSupported</Error>');
      const stored = await upload().set(alice).expect(201);
      const [row] = await dataSource.query(`SELECT user_id, external, file_name FROM device_logs WHERE id::text = $1`, [
        stored.headers.location.split('/').pop(),
      ]);
      expect(row).toEqual({ user_id: 'sip:alice@contoso.com', external: true, file_name: 'crash.dmp' });
    });

    it('serves nothing but its own routes', async () => {
      for (const path of [
        '/api/v1/nodes',
        '/healthz',
        '/metrics',
        '/api/docs',
        '/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/CPE.nbt',
        '/RequestHandler/Files/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/CPE.nbt',
      ]) {
        await external().get(path).set(alice).expect(404);
      }
      await external().post('/RequestHandler/ucdevice.upx').set('Content-Type', 'text/xml').send(checkXml({ mac: MAC })).expect(404);
    });
  });
});

/** supertest's parser for a body kept as bytes. */
function binary(response: request.Response, callback: (error: Error | null, body: Buffer) => void): void {
  const stream = response as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => callback(null, Buffer.concat(chunks)));
}
