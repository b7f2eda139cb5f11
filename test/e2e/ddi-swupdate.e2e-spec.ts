import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { Client } from 'pg';
import { useTestPool } from '../support/harness';
import { buildPackage } from '../support/package-builder';
import { buildTestSwu } from '../support/swu-builder';
import { SwupdateDevice } from '../support/swupdate-device';
import { sleep } from '../support/waiting';

const ATTRIBUTES = { vendor: 'Contoso', model: 'Gateway-1', hwRevision: '1.0' };

interface Answer {
  status: number;
  body: string;
  json: () => Record<string, unknown>;
}

interface ActionView {
  id: string;
  controllerId: string;
  version: string;
  status: string;
  lastFeedback: { execution: string; finished: string; details: string[] } | null;
}

/**
 * Debian's SWUpdate against the real pool (ddi.md, "The real client in tests"): two nodes behind
 * HAProxy, each SWUpdate bounded by `timeout` with its own TMPDIR, installing a harmless signed
 * `.swu` (a rawfile into a temporary folder).
 */
describe('SWUpdate against the pool (DDI)', () => {
  // Node-down detection within seconds, for the node SIGKILLed mid-download.
  const harness = useTestPool(__filename, {
    name: 'e2e-ddi',
    nodes: 2,
    settings: { UCU_HEARTBEAT_INTERVAL_MS: '500', UCU_NODE_DOWN_AFTER_MS: '2000', UCU_SHUTDOWN_TIMEOUT_MS: '5000' },
  });
  const TOKEN = harness.token;
  const { stateDir } = harness;
  let db: Client;
  let rule: string;
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const tokens: Record<string, string> = {};
  const payloads: Record<string, Buffer> = {};

  const call = (path: string, options: { method?: string; headers?: Record<string, string>; body?: unknown; url?: string } = {}) =>
    new Promise<Answer>((resolve, reject) => {
      const body =
        options.body === undefined || typeof options.body === 'string' || Buffer.isBuffer(options.body) ? options.body : JSON.stringify(options.body);
      const headers = { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...options.headers };
      const request = httpRequest(`${options.url ?? harness.pool.internalUrl}${path}`, { agent, method: options.method ?? 'GET', headers, timeout: 15_000 }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text, json: () => JSON.parse(text) }));
      });
      request.on('timeout', () => request.destroy(new Error(`${path} timed out`)));
      request.on('error', reject);
      request.end(body);
    });
  const admin = { Authorization: `Bearer ${TOKEN}` };
  const api = async (path: string, method = 'GET', body?: unknown) => {
    const answer = await call(path, { method, headers: admin, body });
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${answer.body}`);
    return answer.body === '' ? {} : answer.json();
  };
  const actionsOf = async (controllerId: string) => (await api(`/api/v1/ddi/actions?controllerId=${controllerId}`)).items as ActionView[];
  const waitFor = async <T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(250);
    }
  };
  const register = async (controllerId: string, attributes = ATTRIBUTES) => {
    tokens[controllerId] = (await api('/api/v1/ddi/targets', 'POST', { controllerId, attributes })).token as string;
  };
  const deviceFor = (controllerId: string) =>
    new SwupdateDevice({ controllerId, token: tokens[controllerId], url: harness.pool.internalUrl, caFile: harness.pki.caFile, workDir: join(stateDir, 'devices', controllerId) });
  const targetDir = (version: string) => join(stateDir, 'targets', version);
  /**
   * A DDI update package (update.xml of device type DDI, the `.swu` as its image, no catalog)
   * uploaded through the load balancer and imported: its version becomes pending. The rule's id.
   */
  const publish = async (model: string, version: string, options: { size?: number } = {}): Promise<string> => {
    payloads[version] = Buffer.concat([Buffer.from(`gateway ${version}\n`), randomBytes(options.size ?? 1024)]);
    const swu = buildTestSwu(join(stateDir, 'swu', version), harness.pki, { version, targetDir: targetDir(version), payload: payloads[version] });
    const cab = buildPackage(join(stateDir, 'packages', version), harness.pki, [
      { folder: 'OS', deviceType: 'DDI', brand: 'Contoso', model, revision: '1.0', locale: 'Neutral', updateType: 'os', version, image: swu.bytes, imageName: `gateway-${version}.swu`, catalog: false },
    ]);
    const uploaded = await call('/api/v1/updates', { method: 'POST', headers: { ...admin, 'Content-Type': 'application/vnd.ms-cab-compressed' }, body: cab });
    expect(uploaded.status).toBe(202);
    const importId = uploaded.json().importId as string;
    const view = await waitFor('the import', async () => {
      const imported = (await api(`/api/v1/imports/${importId}`)) as { status: string; error: unknown; updates: { ruleId: string }[] };
      if (imported.status === 'failed') throw new Error(`the import failed: ${JSON.stringify(imported.error)}`);
      return imported.status === 'succeeded' && imported;
    });
    return view.updates[0].ruleId;
  };
  /** Approves the rule's pending version once every node holds its files (the replication gate). */
  const approve = async (ruleId: string) =>
    waitFor('the approval', async () => {
      const answer = await call(`/api/v1/rules/${ruleId}/approve`, { method: 'POST', headers: admin });
      if (answer.status === 409 && answer.body.includes('NotReplicated')) return null;
      if (answer.status !== 200) throw new Error(`approve: ${answer.status} ${answer.body}`);
      return answer.json();
    });
  const pollOf = (controllerId: string) => call(`/DEFAULT/controller/v1/${controllerId}`, { headers: { Authorization: `TargetToken ${tokens[controllerId]}` } });

  beforeAll(async () => {
    db = new Client({ connectionString: harness.databaseUrl });
    await db.connect();
    // The shortest sleep DdiPollingInterval allows: a restarted device asks again within it.
    await api('/api/v1/configuration/global', 'PUT', { ddiPollingInterval: '00:00:30' });
    rule = await publish('Gateway-1', '2.4.0');
    await approve(rule);
    await publish('Gateway-1', '2.4.1');
    await approve(rule);
    for (const id of ['gw-install', 'gw-plain', 'gw-test', 'gw-cancel']) await register(id);
  }, 180_000);

  afterAll(async () => {
    agent.destroy();
    await db?.end();
  });

  it('installs: SWUpdate downloads and installs, the restart with -c 2 reports success, the inventory and the audit show it', async () => {
    const device = deviceFor('gw-install');
    const installing = await device.run({ seconds: 90, until: /Update successful, executing post-update actions/ });
    expect(installing.output).toMatch(/Update successful/);
    expect(readFileSync(join(targetDir('2.4.1'), 'hello.txt')).equals(payloads['2.4.1'])).toBe(true);
    const [open] = await actionsOf('gw-install');
    expect(open).toMatchObject({ version: '2.4.1', status: 'open', lastFeedback: { execution: 'proceeding' } });

    // The restart reports the tested install: closed/success for the same action.
    const confirming = device.start({ seconds: 60, confirm: 2 });
    const [closed] = await waitFor('the success', async () => {
      const actions = await actionsOf('gw-install');
      return actions[0]?.status === 'succeeded' && actions;
    }).finally(confirming.stop);
    await confirming.done;
    expect(closed).toMatchObject({ id: open.id, status: 'succeeded', lastFeedback: { execution: 'closed', finished: 'success' } });

    const devices = (await api('/api/v1/devices?version=2.4.1')).items as { controllerId: string | null; modules: unknown[] }[];
    expect(devices.find((entry) => entry.controllerId === 'gw-install')?.modules).toEqual([{ updateType: 'os', version: '2.4.1' }]);
    const audit = (await api('/api/v1/audit/requests?controllerId=gw-install&limit=200')).items as { operation: string; ddi: { finished?: string } | null }[];
    expect(audit.some((row) => row.operation === 'DdiPoll')).toBe(true);
    expect(audit.some((row) => row.operation === 'DdiFeedback' && row.ddi?.finished === 'success')).toBe(true);
    // Nothing more to do for it.
    expect((await pollOf('gw-install')).json()._links).toEqual({});
  }, 240_000);

  it('offers a pending version to the test device (ControllerId) only', async () => {
    await api('/api/v1/test-devices', 'POST', { scope: 'global', name: 'lab gateway', identifierType: 'ControllerId', identifier: 'gw-test' });
    await publish('Gateway-1', '2.4.2');
    const run = await deviceFor('gw-test').run({ seconds: 90, until: /Update successful, executing post-update actions/ });
    expect(run.output).toMatch(/Update successful/);
    expect(existsSync(join(targetDir('2.4.2'), 'hello.txt'))).toBe(true);
    expect((await actionsOf('gw-test'))[0].version).toBe('2.4.2');
    expect((await pollOf('gw-plain')).status).toBe(200);
    expect((await actionsOf('gw-plain'))[0].version).toBe('2.4.1');
  }, 180_000);

  it('cancels: a reset while the test device has its action open → SWUpdate gets cancelAction and acknowledges it', async () => {
    await api('/api/v1/test-devices', 'POST', { scope: 'global', name: 'cancel gateway', identifierType: 'ControllerId', identifier: 'gw-cancel' });
    expect((await pollOf('gw-cancel')).status).toBe(200);
    const [open] = await actionsOf('gw-cancel');
    expect(open).toMatchObject({ version: '2.4.2', status: 'open' });
    await api(`/api/v1/rules/${rule}/reset`, 'POST');
    const cancelling = deviceFor('gw-cancel').start({ seconds: 60 });
    const [cancelled] = await waitFor('the cancellation', async () => {
      const actions = await actionsOf('gw-cancel');
      return actions[0]?.status === 'cancelled' && actions;
    }, 45_000).finally(cancelling.stop);
    await cancelling.done;
    expect(cancelled.id).toBe(open.id);
  }, 120_000);

  it('restores: the restore version is offered as a new action', async () => {
    const [before] = await actionsOf('gw-install');
    await api(`/api/v1/rules/${rule}/restore`, 'POST');
    const answer = (await pollOf('gw-install')).json() as { _links: { deploymentBase?: { href: string } } };
    expect(answer._links.deploymentBase).toBeDefined();
    const [restored] = await actionsOf('gw-install');
    expect(restored).toMatchObject({ version: '2.4.0', status: 'open' });
    expect(restored.id).not.toBe(before.id);
  }, 60_000);

  it('records a failure (wrong SHA-1 → closed/failure) and does not offer the version again', async () => {
    await register('gw-fail2', { ...ATTRIBUTES, model: 'Gateway-2' });
    const failing = await publish('Gateway-2', '3.0.0');
    // The artifact's SHA-1 as the pool states it is wrong: the device notices after writing the payload.
    await db.query(
      `UPDATE files SET sha1 = repeat('0', 40) WHERE sha256 IN (SELECT f.sha256 FROM update_version_files f JOIN update_versions v ON v.id = f.update_version_id WHERE v.rule_id = $1)`,
      [failing],
    );
    await approve(failing);
    const failing2 = deviceFor('gw-fail2').start({ seconds: 90 });
    const [failed] = await waitFor('the failure', async () => {
      const actions = await actionsOf('gw-fail2');
      return actions[0]?.status === 'failed' && actions;
    }, 80_000).finally(failing2.stop);
    await failing2.done;
    expect(failed).toMatchObject({ version: '3.0.0', lastFeedback: { execution: 'closed', finished: 'failure' } });
    expect((await pollOf('gw-fail2')).json()._links).toEqual({});
  }, 150_000);

  it('refuses without a token, with a wrong one, for another device, another tenant and malformed bodies: 4xx, never 5xx', async () => {
    const own = { Authorization: `TargetToken ${tokens['gw-plain']}` };
    const [theirs] = await actionsOf('gw-install');
    const cases: [string, Promise<Answer>, number][] = [
      ['no token', call('/DEFAULT/controller/v1/gw-plain'), 401],
      ['a wrong token', call('/DEFAULT/controller/v1/gw-plain', { headers: { Authorization: 'TargetToken wrong' } }), 401],
      ["another device's token", call('/DEFAULT/controller/v1/gw-install', { headers: own }), 401],
      ["another device's action", call(`/DEFAULT/controller/v1/gw-plain/deploymentBase/${theirs.id}`, { headers: own }), 404],
      ['another tenant', call('/OTHER/controller/v1/gw-plain', { headers: own }), 404],
      ['a bad controller id', call('/DEFAULT/controller/v1/%20bad', { headers: own }), 400],
      ['a body that is not JSON', call(`/DEFAULT/controller/v1/gw-plain/configData`, { method: 'PUT', headers: own, body: '{"data": ' }), 400],
      ['a feedback without status', call(`/DEFAULT/controller/v1/gw-plain/deploymentBase/1/feedback`, { method: 'POST', headers: own, body: { id: 1 } }), 400],
    ];
    for (const [what, answer, status] of cases) {
      expect([what, (await answer).status]).toEqual([what, status]);
    }
    // The external listener serves the same API behind HAProxy.
    expect((await call('/DEFAULT/controller/v1/gw-plain', { headers: own, url: harness.pool.externalUrl })).status).toBe(200);
  }, 60_000);

  it('resumes a download through HAProxy when the node serving it is SIGKILLed', async () => {
    await register('gw-big', { ...ATTRIBUTES, model: 'Gateway-3' });
    // Under 1 MiB: what the image builder's cpio output may hold.
    await approve(await publish('Gateway-3', '4.0.0', { size: 900 * 1024 }));
    const served = async (index: number) => {
      const metrics = await call('/metrics', { url: harness.pool.nodeUrl(index), headers: admin });
      return [...metrics.body.matchAll(/^ucupdates_file_bytes_served_total\{[^}]*\} (\d+(?:\.\d+)?(?:e\+\d+)?)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
    };
    const before = [await served(0), await served(1)];
    // 64 KiB/s: the 900 KiB download takes about 14 s, time to kill the node that serves it.
    const running = deviceFor('gw-big').run({ seconds: 150, until: /Update successful, executing post-update actions/, extra: ['-n', '64k', '-r', '10', '-w', '1'] });
    const serving = await waitFor('the download to start', async () => {
      for (const index of [0, 1]) if ((await served(index)) - before[index] > 800 * 1024) return { index };
      return null;
    }, 90_000);
    await sleep(2_000);
    await harness.pool.frontends[serving.index].kill();
    const run = await running;
    expect(run.output).toMatch(/Update successful/);
    expect(readFileSync(join(targetDir('4.0.0'), 'hello.txt')).equals(payloads['4.0.0'])).toBe(true);
    harness.pool.startFrontend(serving.index);
    await harness.pool.waitForNode(serving.index);
  }, 240_000);
});
