import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { generateIdentities, type PhoneIdentity } from '../../apps/sim/src/identities';
import { parseOptions, type SimOptions } from '../../apps/sim/src/options';
import { DdiSimulation } from '../../apps/sim/src/ddi-simulation';
import { Simulation } from '../../apps/sim/src/simulation';
import type { SimReport } from '../../apps/sim/src/sim-report';
import { LocalPool } from '../../tools/local-pool/local-pool';
import { runMigrations } from '../../tools/local-pool/prerequisites';
import { buildPackage } from '../support/package-builder';
import { buildTestSwu } from '../support/swu-builder';
import { createPoolPki, type PoolPki } from '../support/test-pki';
import { ROOT, suiteResources, testServices } from '../support/test-environment';
import { waitFor } from '../support/waiting';

const suite = suiteResources(__filename);

const TOKEN = 'e2e-sim-bootstrap-token-0123456789';
const PASSWORD = 'sim-phone-password';
const V0 = '4.0.7577.4000';
const V1 = '4.0.7577.4100';
const V2 = '4.0.7577.4200';
const SIM_BIN = join(ROOT, 'dist/apps/sim/apps/sim/src/main.js');
const GATEWAY_TOKEN = 'e2e-sim-gateway-token-0123456789';
const DDI_V0 = '1.0.0';
const DDI_V1 = '2.0.0';

/**
 * ucupdates-sim against a real pool (three nodes behind HAProxy): a small storm through the
 * built bin, then a rollout with an approval and two restores in the middle, every phone ending
 * on the version the rules say.
 */
describe('the phone simulator against the pool', () => {
  let pool: LocalPool;
  let pki: PoolPki;
  let databaseUrl: string;

  beforeAll(async () => {
    pki = createPoolPki(join(testServices.stateDir, 'e2e-sim-pki'));
    const redisUrl = suite.redisUrl;
    const redis = new Redis(redisUrl);
    await redis.flushdb();
    await redis.quit();
    const env = {
      PATH: process.env.PATH,
      TZ: 'UTC',
      DATABASE_URL: (databaseUrl = await suite.recreateDatabase()),
      REDIS_URL: redisUrl,
      ...testServices.s3,
      S3_BUCKET: 'ucupdates-e2e-sim',
      UCU_BOOTSTRAP_ADMIN_TOKEN: TOKEN,
      UCU_HEARTBEAT_INTERVAL_MS: '500',
      UCU_SHUTDOWN_TIMEOUT_MS: '5000',
      UCU_TRUSTED_CA_FILE: pki.caFile,
      UCU_DDI_GATEWAY_TOKEN: GATEWAY_TOKEN,
    };
    runMigrations(ROOT, env);
    pool = new LocalPool({
      root: ROOT,
      stateDir: join(testServices.stateDir, 'e2e-sim-pool'),
      nodes: 3,
      host: '127.0.0.1',
      ...suite.pool,
      haproxy: testServices.haproxy,
      env,
    });
    await pool.start();
    // CPE V1 for the CX600 and the CX500, approved once every node holds the files.
    await importPackage('v1', [
      { folder: 'CX600', model: 'CX600', version: V1, image: randomBytes(150_000) },
      { folder: 'CX500', model: 'CX500', version: V1, image: randomBytes(120_000) },
    ]);
    await approve('CX600');
    await approve('CX500');
  }, 120_000);

  afterAll(async () => {
    await pool?.stop();
  }, 60_000);

  const api = (method: string, path: string, body?: Buffer | object, contentType = 'application/json') =>
    new Promise<{ status: number; json: any }>((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
      const request = httpRequest(
        `${pool.internalUrl}${path}`,
        { method, headers: { Authorization: `Bearer ${TOKEN}`, ...(payload ? { 'Content-Type': contentType } : {}) }, timeout: 20_000 },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, json: text ? JSON.parse(text) : null }));
        },
      );
      request.on('error', reject);
      request.end(payload);
    });

  /** Uploads a package and waits for its import; the rule id of each update. */
  async function importPackage(name: string, updates: Parameters<typeof buildPackage>[2]): Promise<string[]> {
    const cab = buildPackage(join(testServices.stateDir, `e2e-sim-package-${name}`), pki, updates);
    const uploaded = await api('POST', '/api/v1/updates', cab, 'application/vnd.ms-cab-compressed');
    expect(uploaded.status).toBe(202);
    const deadline = Date.now() + 30_000;
    let view = { status: 'queued', updates: [] } as { status: string; updates: { ruleId: string }[] };
    while ((view.status === 'queued' || view.status === 'processing') && Date.now() < deadline) {
      await sleep(200);
      view = (await api('GET', `/api/v1/imports/${uploaded.json.importId}`)).json;
    }
    expect(view.status).toBe('succeeded');
    return view.updates.map((update) => update.ruleId);
  }

  async function ruleId(model: string): Promise<string> {
    const { json } = await api('GET', `/api/v1/rules?model=${model}&updateType=CPE`);
    expect(json.items).toHaveLength(1);
    return json.items[0].id;
  }

  /** Approves the pending version, waiting (409 NotReplicated) until every node holds its files. */
  async function approve(model: string): Promise<void> {
    await approveRule(await ruleId(model));
  }

  async function approveRule(id: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    let answer = await api('POST', `/api/v1/rules/${id}/approve`);
    while (answer.status === 409 && Date.now() < deadline) {
      await sleep(250);
      answer = await api('POST', `/api/v1/rules/${id}/approve`);
    }
    expect(answer.status).toBe(200);
  }

  /** The built bin (ucupdates-sim) with these arguments (--json): its report. */
  function runSim(args: string[]): Promise<SimReport> {
    return new Promise<SimReport>((resolve, reject) => {
      execFile(process.execPath, [SIM_BIN, ...args], { timeout: 90_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as SimReport),
      );
    });
  }

  async function withDatabase(use: (db: Client) => Promise<void>): Promise<void> {
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      await use(db);
    } finally {
      await db.end();
    }
  }

  /**
   * Every request id the simulator wrote (--request-ids) has its audit row of this operation,
   * shipped from the nodes' journals within about a second (docs/phones.md).
   */
  async function expectAudited(db: Client, idsFile: string, answeredCount: number, operation: string): Promise<void> {
    const answered = readFileSync(idsFile, 'utf8').trim().split('\n');
    expect(answered.length).toBe(answeredCount);
    let audited = 0;
    await waitFor(`every answered ${operation} to be audited`, 10_000, async () => {
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM request_audit WHERE request_id = ANY($1::uuid[]) AND operation = $2', [answered, operation]);
      audited = rows[0].n;
      return audited === answered.length;
    }).catch(() => undefined);
    expect(audited).toBe(answered.length);
  }

  async function restore(model: string): Promise<void> {
    expect((await api('POST', `/api/v1/rules/${await ruleId(model)}/restore`)).status).toBe(200);
  }

  it('storms: every phone boots, checks, downloads and installs V1, without an error; every answered check is audited', async () => {
    const ids = join(testServices.stateDir, 'e2e-sim-request-ids.txt');
    const report = await runSim([
      'storm', '--url', pool.internalUrl, '--phones', '300', '--within', '3', '--seed', '11', '--mix', 'Polycom/CX600/A/ENU:2,Polycom/CX500/A/ENU:1',
      '--installed', `CPE=${V0}`, '--reboot', '0.2', '--sign-in-delay', '1', '--log-chance', '0.1', '--json', '--request-ids', ids, '--timeout-ms', '10000',
    ]);
    expect(report).toMatchObject({ mode: 'storm', phones: 300, done: 300, errors: 0, errorsByKind: {}, installed: { CPE: { [V1]: 300 } } });
    expect(report.installs).toBe(300);
    expect(report.downloads).toBe(600); // image and catalog, each verified
    expect(report.logUploads).toBeGreaterThan(0);
    expect(report.checkLatencyMs.p99).toBeGreaterThan(0);

    await withDatabase((db) => expectAudited(db, ids, report.checks, 'UpdateCheck'));
  }, 60_000);

  it('rolls out, through an approval and two restores, every phone ending on the right version (test devices and external phones too)', async () => {
    const options: SimOptions = parseOptions([
      'steady', '--url', pool.internalUrl, '--external-url', pool.externalUrl, '--password', PASSWORD, '--phones', '60', '--seed', '21',
      '--mix', 'Polycom/CX600/A/ENU:1,Polycom/CX500/A/ENU:1', '--installed', `CPE=${V0}`, '--external', '0.25', '--test-devices', '0.15',
      '--interval', '1', '--reboot', '0.2', '--duration', '80', '--log-chance', '0.05', '--backoff-base-ms', '200', '--timeout-ms', '10000',
    ]);
    const phones: PhoneIdentity[] = generateIdentities({ ...options, count: options.phones, deviceType: 'UCPhone' });
    const testPhones = phones.filter((phone) => phone.testDevice && phone.mac && phone.model === 'CX600');
    expect(testPhones.length).toBeGreaterThan(0);
    expect(phones.some((phone) => phone.external && phone.model === 'CX600')).toBe(true);
    for (const phone of phones.filter((each) => each.external)) {
      expect((await api('POST', '/api/v1/phone-users', { userId: phone.userId, password: PASSWORD })).status).toBe(201);
    }
    for (const phone of phones.filter((each) => each.testDevice && each.mac)) {
      const created = await api('POST', '/api/v1/test-devices', { scope: 'global', name: `sim-${phone.index}`, identifierType: 'MACAddress', identifier: phone.mac });
      expect(created.status).toBe(201);
    }

    const simulation = new Simulation(options, phones);
    const running = simulation.run();
    const versions = () => simulation.phones.map((phone) => `${phone.identity.model} ${phone.identity.testDevice && phone.identity.mac ? 'test' : 'user'} ${phone.installed.CPE}`);
    const expectAll = async (expected: (phone: PhoneIdentity) => string, label: string) => {
      const want = phones.map((phone) => `${phone.model} ${phone.testDevice && phone.mac ? 'test' : 'user'} ${expected(phone)}`);
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && versions().join() !== want.join()) await sleep(200);
      expect({ label, versions: versions() }).toEqual({ label, versions: want });
    };
    try {
      // Everyone onto V1 (approved before the phones started).
      await expectAll(() => V1, 'V1 approved');
      // V2 for the CX600 imported, pending: only the test devices take it.
      await importPackage('v2', [{ folder: 'CX600', model: 'CX600', version: V2, image: randomBytes(160_000) }]);
      await expectAll((phone) => (phone.model === 'CX600' && phone.testDevice && phone.mac ? V2 : V1), 'V2 pending');
      // Approved: every CX600.
      await approve('CX600');
      await expectAll((phone) => (phone.model === 'CX600' ? V2 : V1), 'V2 approved');
      // Restored: the CX600s go back to V1 (offered, older); the CX500s' only approval is rolled
      // back, so they are told RestoreBackup and return to the image they kept, V0.
      await restore('CX600');
      await restore('CX500');
      await expectAll((phone) => (phone.model === 'CX600' ? V1 : V0), 'restored');
    } finally {
      simulation.stop();
    }
    const report = await running;
    // The one error a phone may see: it was offered V2 just before the restore took V2 away, and
    // its download of it is then 404 (a rolled-back version's files are no longer served); its
    // next check offers V1. Nothing else.
    expect(Object.keys(report.errorsByKind).filter((kind) => kind !== 'download-http-404-NotFound')).toEqual([]);
    expect(report.errors).toBeLessThanOrEqual(phones.filter((phone) => phone.model === 'CX600').length);
    expect(report.restores).toBe(phones.filter((phone) => phone.model === 'CX500').length);
    expect(report.logUploads).toBeGreaterThan(0);
    // Every phone kept the version it left as its backup.
    for (const phone of simulation.phones.filter((each) => each.identity.model === 'CX600')) expect(phone.backup.CPE).toBe(V2);
  }, 90_000);

  it('--ddi: DDI devices poll, take the deployment, download and verify the .swu and report it, with target tokens (a storm) and the gateway token (a rollout)', async () => {
    // A DDI update (a signed .swu, no catalog) for Contoso Gateway-1, approved once every node holds it.
    const swu = buildTestSwu(join(testServices.stateDir, 'e2e-sim-swu'), pki, { version: DDI_V1, targetDir: join(testServices.stateDir, 'e2e-sim-swu-target') });
    const [rule] = await importPackage('ddi', [
      { folder: 'OS', deviceType: 'DDI', brand: 'Contoso', model: 'Gateway-1', revision: '1.0', locale: 'Neutral', updateType: 'os', version: DDI_V1, image: swu.bytes, imageName: `gateway-${DDI_V1}.swu`, catalog: false },
    ]);
    await approveRule(rule);

    // Target tokens: the bin registers every device through the admin API, then the storm.
    const ids = join(testServices.stateDir, 'e2e-sim-ddi-request-ids.txt');
    const report = await runSim([
      'storm', '--ddi', '--admin-token', TOKEN, '--url', pool.internalUrl, '--phones', '200', '--within', '3', '--seed', '31',
      '--reboot', '0.2', '--json', '--request-ids', ids, '--timeout-ms', '10000',
    ]);
    expect(report).toMatchObject({ mode: 'storm', phones: 200, done: 200, errors: 0, errorsByKind: {}, installed: { os: { [DDI_V1]: 200 } } });
    expect(report.downloads).toBe(200);
    expect(report.bytes).toBe(200 * swu.bytes.length);
    // proceeding, then closed/success after the reboot: two feedbacks per device; none had to send configData.
    expect(report.ddi).toEqual({ registered: 200, configData: 0, deployments: 200, cancellations: 0, feedbacks: 400 });

    await withDatabase(async (db) => {
      const actions = await db.query<{ status: string; n: number }>(
        "SELECT a.status, count(*)::int AS n FROM ddi_actions a WHERE a.controller_id LIKE 'sim-31-%' GROUP BY a.status",
      );
      expect(actions.rows).toEqual([{ status: 'succeeded', n: 200 }]);
      await expectAudited(db, ids, report.checks, 'DdiPoll');
    });

    // The gateway token: unknown devices are asked for their attributes (configData), then roll out.
    const options = parseOptions([
      'rollout', '--ddi', '--gateway-token', GATEWAY_TOKEN, '--url', pool.internalUrl, '--external-url', pool.externalUrl, '--external', '0.3',
      '--phones', '40', '--seed', '32', '--installed', `os=${DDI_V0}`, '--within', '2', '--interval', '1', '--reboot', '0.2', '--duration', '60', '--timeout-ms', '10000',
    ]);
    const devices = generateIdentities({ ...options, count: options.phones, deviceType: 'DDI' });
    expect(devices.some((device) => device.external)).toBe(true);
    const rollout = await new DdiSimulation(options, devices).run();
    expect(rollout).toMatchObject({ mode: 'rollout', phones: 40, done: 40, errors: 0, installed: { os: { [DDI_V1]: 40 } } });
    expect(rollout.fullRolloutSeconds).not.toBeNull();
    expect(rollout.ddi).toMatchObject({ registered: 0, configData: 40, deployments: 40, feedbacks: 80 });
  }, 150_000);
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
