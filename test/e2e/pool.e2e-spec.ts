import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { Client } from 'pg';
import { LocalPool } from '../../tools/local-pool/local-pool';
import { httpGet } from '../../tools/local-pool/processes';
import { useTestPool } from '../support/harness';
import { buildPackage } from '../support/package-builder';
import { type PoolPki } from '../support/test-pki';
import { sleep, waitFor } from '../support/waiting';

const DOWN_AFTER_MS = 2_000;

interface NodeView {
  id: string;
  status: 'active' | 'down';
  lastHeartbeatAt: string | null;
}

/**
 * The real pool: three frontend/worker pairs behind HAProxy, on the real Postgres, Redis and
 * MinIO, started and killed as processes, like production.
 */
describe('the pool behind HAProxy', () => {
  let pool: LocalPool;
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });

  const harness = useTestPool(__filename, {
    name: 'e2e-pool',
    nodes: 3,
    settings: { UCU_HEARTBEAT_INTERVAL_MS: '500', UCU_NODE_DOWN_AFTER_MS: String(DOWN_AFTER_MS), UCU_SHUTDOWN_TIMEOUT_MS: '5000' },
  });
  const TOKEN = harness.token;
  let pki: PoolPki;
  let databaseUrl: string;
  beforeAll(() => void ({ pool, pki, databaseUrl } = harness));

  afterAll(() => agent.destroy());

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET', body?: Buffer) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(`${pool.internalUrl}${path}`, { agent, headers, method, timeout: 10_000 }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      request.on('timeout', () => request.destroy(new Error('timed out')));
      request.on('error', reject);
      request.end(body);
    });

  const nodes = async (): Promise<NodeView[]> => {
    const response = await get('/api/v1/nodes', { Authorization: `Bearer ${TOKEN}` });
    expect(response.status).toBe(200);
    return (JSON.parse(response.body) as { items: NodeView[] }).items;
  };

  it('is ready through the load balancer and lists three active nodes', async () => {
    expect((await get('/readyz')).status).toBe(200);
    const listed = await nodes();
    expect(listed.map((node) => [node.id, node.status])).toEqual([
      ['node-1', 'active'],
      ['node-2', 'active'],
      ['node-3', 'active'],
    ]);
  });

  it('imports a package uploaded once through the load balancer: its rules appear as pending', async () => {
    const image = randomBytes(200_000);
    const cab = buildPackage(join(harness.stateDir, 'package'), pki, [
      { folder: 'CPE', version: '4.0.7577.4372', image },
      { folder: 'UCM', updateType: 'UCM', version: '1.2.3', image: randomBytes(30_000) },
    ]);
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const uploaded = await get('/api/v1/updates', { ...auth, 'Content-Type': 'application/vnd.ms-cab-compressed' }, 'POST', cab);
    expect(uploaded.status).toBe(202);
    const { importId } = JSON.parse(uploaded.body) as { importId: string };

    let view = { status: 'queued' } as { status: string; error: unknown; updates: { updateType: string; version: string }[] };
    const deadline = Date.now() + 30_000;
    while ((view.status === 'queued' || view.status === 'processing') && Date.now() < deadline) {
      await sleep(200);
      view = JSON.parse((await get(`/api/v1/imports/${importId}`, auth)).body);
    }
    expect(view).toMatchObject({ status: 'succeeded', error: null });
    expect(view.updates.map((update) => `${update.updateType} ${update.version}`).sort()).toEqual(['CPE 4.0.7577.4372', 'UCM 1.2.3']);

    const again = await get('/api/v1/updates', { ...auth, 'Content-Type': 'application/octet-stream' }, 'POST', cab);
    expect([again.status, JSON.parse(again.body).importId]).toEqual([200, importId]);
  }, 60_000);

  it('carries a change made through one node to the in-memory state of the other two within a second', async () => {
    const digestOf = async (index: number): Promise<string> =>
      (JSON.parse((await httpGet(`${pool.nodeUrl(index)}/readyz`)).body) as { checks: { cache: { digest: string } } }).checks.cache.digest;
    const before = await digestOf(1);
    const created = await httpPost(`${pool.nodeUrl(0)}/api/v1/test-devices`, TOKEN, {
      scope: 'global',
      name: 'propagation',
      identifierType: 'MACAddress',
      identifier: '00-04-F2-00-00-99',
    });
    expect(created).toBe(201);
    const started = Date.now();
    let digests = [before];
    while (Date.now() - started < 1_000) {
      digests = await Promise.all([0, 1, 2].map(digestOf));
      if (digests[1] !== before && new Set(digests).size === 1) {
        break;
      }
      await sleep(20);
    }
    expect(new Set(digests).size).toBe(1);
    expect(digests[1]).not.toBe(before);
  });

  it('logs JSON lines with the node id and the request id the load balancer passed', async () => {
    const response = await get('/api/v1/nodes', { Authorization: `Bearer ${TOKEN}`, 'X-Request-Id': 'e2e-trace-0001' });
    expect(response.status).toBe(200);
    const lines = await waitForLogLine(pool, (line) => line.reqId === 'e2e-trace-0001');
    expect(lines[0]).toMatchObject({ msg: 'request answered', url: '/api/v1/nodes', status: 200, app: 'frontend' });
    expect(['node-1', 'node-2', 'node-3']).toContain(lines[0].nodeId);
  });

  it('keeps answering every request when a frontend is killed, and reports that node down', async () => {
    const outcomes = { ok: 0, failed: [] as string[] };
    let running = true;
    const client = async (): Promise<void> => {
      for (let i = 0; running; i++) {
        try {
          const response = await get(i % 2 ? '/healthz' : '/api/v1/nodes', { Authorization: `Bearer ${TOKEN}` });
          if (response.status === 200) {
            outcomes.ok++;
          } else {
            outcomes.failed.push(`HTTP ${response.status}: ${response.body.slice(0, 100)}`);
          }
        } catch (error) {
          outcomes.failed.push((error as Error).message);
        }
      }
    };
    const clients = Array.from({ length: 16 }, () => client());
    await sleep(1_000);
    await pool.frontends[1].kill(); // SIGKILL, mid-load
    await sleep(4_000);
    running = false;
    await Promise.all(clients);

    expect(outcomes.failed).toEqual([]);
    expect(outcomes.ok).toBeGreaterThan(200);

    const deadline = Date.now() + DOWN_AFTER_MS + 5_000;
    let listed = await nodes();
    while (listed.find((node) => node.id === 'node-2')?.status !== 'down' && Date.now() < deadline) {
      await sleep(250);
      listed = await nodes();
    }
    expect(listed.map((node) => [node.id, node.status])).toEqual([
      ['node-1', 'active'],
      ['node-2', 'down'],
      ['node-3', 'active'],
    ]);
    // Down by the heartbeat timeout: a killed process had no chance to say it was leaving.
    const killed = listed.find((node) => node.id === 'node-2')!;
    expect(killed.lastHeartbeatAt).not.toBeNull();
  }, 60_000);

  it('takes the node back once its frontend runs again', async () => {
    pool.startFrontend(1);
    await pool.waitForNode(1);
    const deadline = Date.now() + 10_000;
    let listed = await nodes();
    while (listed.some((node) => node.status !== 'active') && Date.now() < deadline) {
      await sleep(250);
      listed = await nodes();
    }
    expect(listed.every((node) => node.status === 'active')).toBe(true);
  }, 60_000);

  it('leaves no committed change without its audit row, nor a row without its change, when killed mid-burst', async () => {
    const node = 2; // node-3, asked directly, so the burst is all on the node that dies
    const post = (n: number) =>
      new Promise<number>((resolve) => {
        const body = Buffer.from(JSON.stringify({ scope: 'global', name: `burst-${n}`, identifierType: 'SerialNumber', identifier: `SN-${n}` }));
        const request = httpRequest(
          `${pool.nodeUrl(node)}/api/v1/test-devices`,
          { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, timeout: 10_000 },
          (response) => {
            response.resume();
            response.on('end', () => resolve(response.statusCode ?? 0));
          },
        );
        request.on('error', () => resolve(0));
        request.end(body);
      });
    let next = 0;
    const answered: number[] = [];
    const sender = async () => {
      while (next < 2_000) {
        const status = await post(next++);
        answered.push(status);
        if (status === 0) {
          return; // the node is gone
        }
      }
    };
    const senders = Array.from({ length: 8 }, () => sender());
    await sleep(400);
    await pool.frontends[node].kill();
    await Promise.all(senders);
    expect(answered.filter((status) => status === 201).length).toBeGreaterThan(10);
    expect(answered).toContain(0); // the kill did land in the middle of the burst

    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const orphans = await db.query(
        `SELECT d.name FROM test_devices d
          WHERE d.name LIKE 'burst-%'
            AND NOT EXISTS (SELECT 1 FROM admin_audit a WHERE a.action = 'testDevice.create' AND a.target = 'testDevice/' || d.id)`,
      );
      const ghosts = await db.query(
        `SELECT a.target FROM admin_audit a
          WHERE a.action = 'testDevice.create' AND a.after->>'name' LIKE 'burst-%'
            AND NOT EXISTS (SELECT 1 FROM test_devices d WHERE a.target = 'testDevice/' || d.id)`,
      );
      const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM test_devices WHERE name LIKE 'burst-%'`)).rows;
      expect({ orphans: orphans.rows, ghosts: ghosts.rows }).toEqual({ orphans: [], ghosts: [] });
      // Every change the clients saw answered is there (some more may have committed unanswered).
      expect(n).toBeGreaterThanOrEqual(answered.filter((status) => status === 201).length);
    } finally {
      await db.end();
    }
    pool.startFrontend(node);
    await pool.waitForNode(node);
  }, 60_000);

  describe('phones', () => {
    const PHONE_MAC = '00-04-F2-E2-E0-01';
    const auth = { Authorization: `Bearer ${TOKEN}` };

    it('a test phone checks through HAProxy, gets the pending update, downloads every file from every node, and is audited and inventoried', async () => {
      expect(await httpPost(`${pool.internalUrl}/api/v1/test-devices`, TOKEN, {
        scope: 'global',
        name: 'e2e phone',
        identifierType: 'MACAddress',
        identifier: PHONE_MAC,
      })).toBe(201);
      // Every node hears of the new test device within a second; ask until the answer names files.
      let answer: PhoneAnswer = { modules: [], numOfFiles: 0 };
      let requestId = '';
      for (const deadline = Date.now() + 5_000; answer.numOfFiles === 0 && Date.now() < deadline; ) {
        requestId = randomUUID();
        const response = await phoneCall(`${pool.internalUrl}/RequestHandler/ucdevice.upx`, {
          method: 'POST',
          headers: { 'Content-Type': 'text/xml', 'X-Request-Id': requestId },
          body: Buffer.from(updateCheck(PHONE_MAC, [{ updateType: 'CPE', version: '1.0' }])),
        });
        expect(response.status).toBe(200);
        answer = parseUpdateAnswer(response.body.toString('utf8'));
      }
      expect(answer.modules.map((module) => `${module.UpdateType} ${module.Action} ${module.Version}`)).toEqual([
        'CPE Install 4.0.7577.4372',
        'UCM Install 1.2.3',
      ]);
      const files = answer.modules.flatMap((module) => module.Files.File);
      expect(files.length).toBe(answer.numOfFiles);
      for (const file of files) {
        const url = new URL(file.Url);
        expect(url.host).toBe(new URL(pool.internalUrl).host); // through the load balancer the phone asked
        // Through HAProxy (whichever node it picks, several times) and from each node directly.
        const sources = [file.Url, file.Url, file.Url, ...[0, 1, 2].map((index) => `${pool.nodeUrl(index)}${url.pathname}`)];
        for (const source of sources) {
          const download = await phoneCall(source);
          expect({ source, status: download.status }).toEqual({ source, status: 200 });
          expect(download.body.length).toBe(Number(file.Size));
          expect(createHash('sha256').update(download.body).digest('hex')).toBe(file.Sha256);
        }
      }

      // Shipped from the node's journal to Postgres within about a second (docs/phones.md).
      const entry = await waitFor('the check in the request audit', 10_000, async () => {
        const audit = await get(`/api/v1/audit/requests?macAddress=${PHONE_MAC}`, auth);
        expect(audit.status).toBe(200);
        const entries = (JSON.parse(audit.body) as { items: { requestId: string; nodeId: string; responseModules: unknown[] }[] }).items;
        return entries.find((item) => item.requestId === requestId);
      });
      expect(entry?.responseModules).toHaveLength(2);
      expect(['node-1', 'node-2', 'node-3']).toContain(entry?.nodeId);
      const devices = await get('/api/v1/devices?model=CX600', auth);
      const device = (JSON.parse(devices.body) as { items: { macAddress: string; isTestDevice: boolean; modules: unknown[] }[] }).items.find(
        (item) => item.macAddress === PHONE_MAC,
      );
      expect(device).toMatchObject({ isTestDevice: true, modules: [{ updateType: 'CPE', version: '1.0' }] });
    }, 60_000);

    it('answers an admin change once every node serves it (read-your-writes), and within the bound naming a node that did not confirm', async () => {
      const addTestDevice = (url: string, mac: string) =>
        adminPost(`${url}/api/v1/test-devices`, TOKEN, { scope: 'global', name: `ryw ${mac}`, identifierType: 'MACAddress', identifier: mac });
      const offeredOn = async (index: number, mac: string) => {
        const response = await phoneCall(`${pool.nodeUrl(index)}/RequestHandler/ucdevice.upx`, {
          method: 'POST',
          headers: { 'Content-Type': 'text/xml' },
          body: Buffer.from(updateCheck(mac, [{ updateType: 'CPE', version: '1.0' }])),
        });
        expect(response.status).toBe(200);
        return parseUpdateAnswer(response.body.toString('utf8')).modules.find((module) => module.UpdateType === 'CPE')?.Version;
      };
      // Before: an ordinary phone, offered nothing pending.
      const mac = '00-04-F2-E2-E0-02';
      expect(await offeredOn(0, mac)).not.toBe('4.0.7577.4372');
      const created = await addTestDevice(pool.internalUrl, mac);
      expect(created.status).toBe(201);
      expect(created.headers['x-ucu-unconfirmed-nodes']).toBeUndefined();
      // At once, no retry, on every node directly: it is a test device and gets the pending version.
      expect(await Promise.all([0, 1, 2].map((index) => offeredOn(index, mac)))).toEqual(['4.0.7577.4372', '4.0.7577.4372', '4.0.7577.4372']);

      // With node-3's frontend stopped (still active: it beat less than UCU_NODE_DOWN_AFTER_MS ago),
      // the change answers after the bound (1 s) all the same, naming it.
      const pid = pool.frontends[2].pid!;
      process.kill(pid, 'SIGSTOP');
      try {
        const started = Date.now();
        const second = await addTestDevice(pool.nodeUrl(0), '00-04-F2-E2-E0-03');
        const elapsed = Date.now() - started;
        expect(second.status).toBe(201);
        expect(second.headers['x-ucu-unconfirmed-nodes']).toBe('node-3');
        expect(elapsed).toBeGreaterThanOrEqual(950);
        expect(elapsed).toBeLessThan(1_900);
        // The two running nodes serve it.
        expect(await Promise.all([0, 1].map((index) => offeredOn(index, '00-04-F2-E2-E0-03')))).toEqual(['4.0.7577.4372', '4.0.7577.4372']);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      // Once it runs again it catches up, and a change waits for it again.
      const third = await addTestDevice(pool.nodeUrl(1), '00-04-F2-E2-E0-04');
      expect([third.status, third.headers['x-ucu-unconfirmed-nodes']]).toEqual([201, undefined]);
      expect(await offeredOn(2, '00-04-F2-E2-E0-03')).toBe('4.0.7577.4372');
    }, 30_000);

    it('a phone that appends file names to BaseURL inside and ExternalBaseURL outside downloads every file through HAProxy and from each node; the aliases serve the same bytes', async () => {
      const PHONE_USER = 'sip:e2e-basephone@contoso.com';
      const PASSWORD = 'E2e-pa55word!';
      expect(await httpPost(`${pool.internalUrl}/api/v1/phone-users`, TOKEN, { userId: PHONE_USER, password: PASSWORD })).toBe(201);
      const basic = `Basic ${Buffer.from(`${PHONE_USER}:${PASSWORD}`).toString('base64')}`;
      const ask = async (url: string, headers: Record<string, string> = {}) => {
        const response = await phoneCall(url, {
          method: 'POST',
          headers: { 'Content-Type': 'text/xml', ...headers },
          body: Buffer.from(updateCheck(PHONE_MAC, [{ updateType: 'CPE', version: '1.0' }])),
        });
        expect(response.status).toBe(200);
        return parseUpdateAnswer(response.body.toString('utf8'));
      };
      const inside = await ask(`${pool.internalUrl}/RequestHandler/ucdevice.upx`);
      // Signed in, through HAProxy's external listener; the user table is read once a node hears of it.
      let outside: PhoneAnswer = { modules: [], numOfFiles: 0 };
      for (const deadline = Date.now() + 5_000; outside.numOfFiles === 0 && Date.now() < deadline; ) {
        const response = await phoneCall(`${pool.externalUrl}/RequestHandlerExt/ucdevice.upx`, {
          method: 'POST',
          headers: { 'Content-Type': 'text/xml', Authorization: basic },
          body: Buffer.from(updateCheck(PHONE_MAC, [{ updateType: 'CPE', version: '1.0' }])),
        });
        if (response.status === 200) outside = parseUpdateAnswer(response.body.toString('utf8'));
      }
      expect(inside.modules.map((module) => module.Version)).toEqual(['4.0.7577.4372', '1.2.3']);
      expect(outside.modules.map((module) => module.Version)).toEqual(['4.0.7577.4372', '1.2.3']);
      const nodeExternalUrl = (index: number) => `http://127.0.0.1:${harness.suite.pool.nodeBasePort + 100 + index + 1}`;
      let downloads = 0;
      for (const [side, answer] of [['inside', inside], ['outside', outside]] as const) {
        for (const module of answer.modules) {
          // Not configured (UCU_INTERNAL_BASE_URL/UCU_EXTERNAL_BASE_URL): each side's folder is on the
          // load balancer the phone asked, the other side's is empty.
          const base = new URL(side === 'inside' ? module.BaseURL : module.ExternalBaseURL);
          expect(side === 'inside' ? module.ExternalBaseURL : module.BaseURL).toBe('');
          expect(base.origin).toBe(side === 'inside' ? pool.internalUrl : pool.externalUrl);
          const [store, aliasStore, nodeUrl] =
            side === 'inside'
              ? ['/DeviceUpdateFiles_Int/', '/RequestHandler/Files/', (index: number) => pool.nodeUrl(index)]
              : ['/DeviceUpdateFiles_Ext/', '/RequestHandlerExt/Files/', nodeExternalUrl];
          expect(base.pathname.startsWith(store)).toBe(true);
          const alias = base.pathname.replace(store, aliasStore);
          for (const file of module.Files.File) {
            const name = `/${encodeURIComponent(file.Name)}`;
            const sources = [
              `${base.href}${name}`,
              `${base.href}${name}`,
              `${base.origin}${alias}${name}`,
              ...[0, 1, 2].flatMap((index) => [`${nodeUrl(index)}${base.pathname}${name}`, `${nodeUrl(index)}${alias}${name}`]),
            ];
            for (const source of sources) {
              const download = await phoneCall(source);
              expect({ source, status: download.status }).toEqual({ source, status: 200 });
              expect({ source, sha256: createHash('sha256').update(download.body).digest('hex') }).toEqual({ source, sha256: file.Sha256 });
              downloads += 1;
            }
          }
        }
      }
      expect(downloads).toBe(2 * inside.numOfFiles * 9);
      // Outside, the folder's token is the permission: without it, 403 through HAProxy and on every node.
      const folder = new URL(outside.modules[0].ExternalBaseURL).pathname.replace(/\/~[^/]+/, '');
      for (const origin of [pool.externalUrl, ...[0, 1, 2].map(nodeExternalUrl)]) {
        expect((await phoneCall(`${origin}${folder}/CPE.nbt`)).status).toBe(403);
      }
    }, 60_000);

    it('leaves no answered update check without its audit row when the node is killed mid-burst', async () => {
      const node = 0; // node-1, asked directly, so the burst is all on the node that dies
      const answered: string[] = [];
      let failed = 0;
      let running = true;
      const sender = async (lane: number) => {
        for (let n = 0; running; n++) {
          const requestId = randomUUID();
          const mac = `00-04-F2-E3-${lane.toString(16).padStart(2, '0')}-${(n % 256).toString(16).padStart(2, '0')}`;
          try {
            const response = await phoneCall(`${pool.nodeUrl(node)}/RequestHandler/ucdevice.upx`, {
              method: 'POST',
              headers: { 'Content-Type': 'text/xml', 'X-Request-Id': requestId },
              body: Buffer.from(updateCheck(mac, [])),
            });
            if (response.status === 200) answered.push(requestId);
          } catch {
            failed++;
            return; // the node is gone
          }
        }
      };
      const senders = Array.from({ length: 8 }, (_, lane) => sender(lane));
      await sleep(600);
      await pool.frontends[node].kill();
      await Promise.all(senders);
      running = false;
      expect(answered.length).toBeGreaterThan(20);
      expect(failed).toBeGreaterThan(0); // the kill did land in the middle of the burst

      // Every answered check's row is in the node's journal; started again, the node ships it first.
      pool.startFrontend(node);
      await pool.waitForNode(node);
      const db = new Client({ connectionString: databaseUrl });
      await db.connect();
      try {
        let missing: string[] = answered;
        await waitFor('every answered check to be audited', 20_000, async () => {
          const { rows } = await db.query(`SELECT request_id FROM request_audit WHERE request_id = ANY($1::uuid[])`, [answered]);
          const audited = new Set(rows.map((row: { request_id: string }) => row.request_id));
          missing = answered.filter((id) => !audited.has(id));
          return missing.length === 0;
        }).catch(() => undefined);
        expect(missing).toEqual([]);
      } finally {
        await db.end();
      }
    }, 60_000);
  });
});

interface PhoneFile {
  Name: string;
  Url: string;
  Size: string;
  Sha256: string;
}

interface PhoneAnswer {
  numOfFiles: number;
  modules: { UpdateType: string; Action: string; Version: string; Files: { File: PhoneFile[] }; BaseURL: string; ExternalBaseURL: string }[];
}

function updateCheck(mac: string, modules: { updateType: string; version: string }[]): string {
  const listed = modules
    .map((module) => `<Module><UpdateType>${module.updateType}</UpdateType><Filename>x.nbt</Filename><Version>${module.version}</Version></Module>`)
    .join('');
  return (
    `<?xml version="1.0" encoding="utf-8"?><Request><DeviceType>UCPhone</DeviceType><MacAddress>${mac}</MacAddress>` +
    `<Vendor>Polycom</Vendor><Model>CX600</Model><Revision>A</Revision><Locale>ENU</Locale><Modules>${listed}</Modules></Request>`
  );
}

function parseUpdateAnswer(text: string): PhoneAnswer {
  const parser = new XMLParser({ parseTagValue: false, isArray: (name) => ['Module', 'File'].includes(name) });
  const { Response: response } = parser.parse(text) as { Response: { NumOfFiles: string; Modules?: { Module: PhoneAnswer['modules'] } } };
  return { numOfFiles: Number(response.NumOfFiles), modules: response.Modules?.Module ?? [] };
}

/** One request as a phone makes it (no keep-alive), the body kept as bytes. */
function phoneCall(
  url: string,
  { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: Buffer } = {},
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, headers, timeout: 10_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end(body);
  });
}

async function httpPost(url: string, token: string, body: unknown): Promise<number> {
  return (await adminPost(url, token, body)).status;
}

/** An admin POST, answering its status and headers. */
function adminPost(url: string, token: string, body: unknown): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, timeout: 10_000 },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

/** The JSON log lines of every frontend that match, once at least one does. */
async function waitForLogLine(pool: LocalPool, match: (line: Record<string, unknown>) => boolean) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const lines = pool.frontends
      .flatMap((frontend) => readFileSync(frontend.spec.logFile, 'utf8').split('\n'))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter(match);
    if (lines.length > 0) {
      return lines;
    }
    await sleep(100);
  }
  throw new Error('no such log line');
}
