import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { LocalPool } from '../../tools/local-pool/local-pool';
import { runMigrations } from '../../tools/local-pool/prerequisites';
import { buildPackage } from '../support/package-builder';
import { createPoolPki, type PoolPki } from '../support/test-pki';
import { TEST_DIRECTORY, TestDirectory } from '../support/test-directory';
import { ROOT, suiteResources, testServices } from '../support/test-environment';

const suite = suiteResources(__filename);

const ADMIN = 'e2e-cp-bootstrap-token-0123456789';
const DOWN_AFTER_MS = 2_000;
const LAGGING_NODE = 'node-lagging';
const ARTIFACTS = join(testServices.stateDir, 'artifacts', 'control-panel');
const VERSION = '4.0.7577.4400';

/** Every page of the panel: its hash and a name for its screenshots. */
const PAGES = [
  ['rules', 'device-update', 'Device Update', '/api/v1/rules'],
  ['upload', 'upload', 'Upload', '/api/v1/imports'],
  ['test-devices', 'test-devices', 'Test Devices', '/api/v1/test-devices'],
  ['configuration', 'log-configuration', 'Device Log Configuration', '/api/v1/configuration'],
  ['pool', 'pool', 'Pool', '/api/v1/nodes'],
  ['inventory', 'inventory', 'Inventory', '/api/v1/devices/summary'],
  ['audit', 'audit', 'Audit', '/api/v1/audit/admin'],
  ['device-logs', 'device-logs', 'Device Logs', '/api/v1/device-logs'],
] as const;

interface RuleView {
  id: string;
  model: string;
  updateType: string;
  approvedVersion: string | null;
  pendingVersion: string | null;
  replication: { pending: string | null };
}

/**
 * The control panel in a real browser (Debian's headless Chromium driven by playwright-core)
 * against a real pool behind HAProxy: signing in, uploading and importing a package, approving
 * a rule (refused first while a node lacks its files), test devices, the log configuration, and a
 * viewer who finds no way to change anything. Screenshots of every page, wide and narrow, go to
 * .pool/test/artifacts/control-panel/.
 */
describe('the control panel in a browser', () => {
  let pool: LocalPool;
  let browser: Browser;
  let db: Client;
  let pki: PoolPki;
  let lagging: NodeJS.Timeout | undefined;
  let operatorToken: string;
  let directory: TestDirectory;
  let viewerToken: string;

  const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${pool.internalUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  };

  const rules = async () => (await api<{ items: RuleView[] }>('GET', '/api/v1/rules')).body.items;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    pki = createPoolPki(join(testServices.stateDir, 'e2e-cp-pki'));
    const redisUrl = suite.redisUrl;
    const redis = new Redis(redisUrl);
    await redis.flushdb();
    await redis.quit();
    const databaseUrl = await suite.recreateDatabase();
    // Debian's slapd, for the directory users' sign-in (docs/directory.md).
    directory = new TestDirectory(join(testServices.stateDir, 'e2e-cp-directory'), suite.port(190));
    await directory.start();
    const env = {
      PATH: process.env.PATH,
      TZ: 'UTC',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      ...testServices.s3,
      S3_BUCKET: 'ucupdates-e2e-cp',
      UCU_BOOTSTRAP_ADMIN_TOKEN: ADMIN,
      UCU_HEARTBEAT_INTERVAL_MS: '500',
      UCU_NODE_DOWN_AFTER_MS: String(DOWN_AFTER_MS),
      UCU_SHUTDOWN_TIMEOUT_MS: '5000',
      // The lagging node below is a row with no frontend: it never confirms a change, so each would wait the full timeout.
      UCU_CHANGE_CONFIRM_TIMEOUT_MS: '0',
      UCU_TRUSTED_CA_FILE: pki.caFile,
      UCU_LOG_LEVEL: 'warn',
      ...directory.environment(),
    };
    runMigrations(ROOT, env);
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    pool = new LocalPool({
      root: ROOT,
      stateDir: join(testServices.stateDir, 'e2e-cp-pool'),
      nodes: 2,
      host: '127.0.0.1',
      ...suite.pool,
      haproxy: testServices.haproxy,
      env,
    });
    await pool.start();
    operatorToken = (await api<{ token: string }>('POST', '/api/v1/tokens', { name: 'cp operator', role: 'operator' })).body.token;
    viewerToken = (await api<{ token: string }>('POST', '/api/v1/tokens', { name: 'cp viewer', role: 'viewer' })).body.token;
    browser = await chromium.launch({ executablePath: process.env.UCU_TEST_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  }, 180_000);

  afterAll(async () => {
    clearInterval(lagging);
    await browser?.close();
    await db?.end();
    await pool?.stop();
    await directory?.stop();
  }, 60_000);

  const newPage = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: pool.internalUrl });
    const page = await context.newPage();
    page.on('pageerror', (error) => {
      throw error;
    });
    return { context, page };
  };

  const signIn = async (page: Page, token: string, shot?: string) => {
    await page.goto('/cp/');
    await page.getByLabel('Admin API token').waitFor();
    if (shot) {
      await page.screenshot({ path: join(ARTIFACTS, `${shot}-1280.png`) });
    }
    await page.getByLabel('Admin API token').fill(token);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  };

  /** Loads a page of the panel afresh and waits for its heading and for its data to be shown. */
  const open = async (page: Page, hash: (typeof PAGES)[number][0]) => {
    const [, , title, path] = PAGES.find(([each]) => each === hash)!;
    await page.goto('about:blank');
    const answered = page.waitForResponse((response) => new URL(response.url()).pathname === path);
    await page.goto(`/cp/#/${hash}`);
    await answered;
    await page.locator('#page-title', { hasText: new RegExp(`^${title}$`) }).waitFor();
    await page.locator('main .loading').waitFor({ state: 'detached' });
    await page.waitForTimeout(100);
  };

  const screenshots = async (page: Page, prefix: string) => {
    for (const [width, height] of [
      [1280, 800],
      [400, 800],
    ]) {
      await page.setViewportSize({ width, height });
      for (const [hash, name] of PAGES) {
        await open(page, hash);
        await page.screenshot({ path: join(ARTIFACTS, `${prefix}${name}-${width}.png`), fullPage: true });
        // Nothing sticks out sideways on a narrow window but the tables, which scroll in their frame.
        const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        expect({ page: name, width, overflow }).toEqual({ page: name, width, overflow: 0 });
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  };

  /** A node that says it is active and never holds a file: approval is refused while it beats. */
  const startLaggingNode = async () => {
    const beat = () => db.query(`UPDATE pool_nodes SET frontend_heartbeat_at = now(), worker_heartbeat_at = now() WHERE id = $1`, [LAGGING_NODE]);
    await db.query(
      `INSERT INTO pool_nodes (id, url, app_version, frontend_started_at, frontend_heartbeat_at, worker_started_at, worker_heartbeat_at)
       VALUES ($1, 'http://127.0.0.1:1', 'e2e', now(), now(), now(), now())`,
      [LAGGING_NODE],
    );
    lagging = setInterval(() => void beat(), 300);
  };

  it('signs in, uploads a package and follows its import, approves a rule refused at first while a node lacks its files', async () => {
    await startLaggingNode();
    const { context, page } = await newPage();
    await signIn(page, ADMIN, 'sign-in');
    await containsText(page.locator('.who'), 'bootstrap');

    // Upload: choose the file, watch it go up, then the import to its end.
    const cab = buildPackage(join(testServices.stateDir, 'e2e-cp-package'), pki, [
      { folder: 'CPE', version: VERSION, image: Buffer.alloc(400_000, 7) },
      { folder: 'UCM', updateType: 'UCM', version: '1.2.4', image: Buffer.alloc(20_000, 3) },
    ]);
    await open(page, 'upload');
    await page.locator('input[type=file]').setInputFiles({ name: 'UCUpdates.cab', mimeType: 'application/vnd.ms-cab-compressed', buffer: cab });
    await containsText(page.locator('.chosen'), 'UCUpdates.cab');
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.locator('progress#upload-progress').waitFor();
    await page.locator('.import-outcome[data-status=succeeded]').waitFor({ timeout: 60_000 });
    await containsText(page.locator('.import-outcome'), VERSION);
    await page.screenshot({ path: join(ARTIFACTS, 'upload-done-1280.png'), fullPage: true });

    // Device Update: select the CPE rule, approve; refused while the lagging node lacks the files.
    await open(page, 'rules');
    const cpe = page.getByLabel('Select Polycom CX600 A ENU CPE');
    await cpe.check();
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await containsText(dialog, 'Approve: 1 rule');
    // The dialog keeps focus inside it and closes with Escape.
    for (let i = 0; i < 6; i += 1) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate<boolean>("Boolean(document.activeElement?.closest('dialog'))")).toBe(true);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'device-update-confirm-1280.png') });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await eventually(
      () => page.evaluate<string>('document.activeElement?.textContent ?? ""'),
      (text) => text === 'Approve',
      'focus back on the Approve button',
    );

    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await dialog.getByRole('button', { name: 'Approve', exact: true }).click();
    const refusal = page.locator('.outcomes .refusal');
    await containsText(refusal, 'Not on every node yet');
    await containsText(refusal, `Node ${LAGGING_NODE} lacks`);
    await containsText(refusal, 'NotReplicated');
    await page.getByRole('button', { name: 'Approve anyway (force) …' }).waitFor({ state: 'visible' });
    await page.screenshot({ path: join(ARTIFACTS, 'device-update-not-replicated-1280.png'), fullPage: true });
    expect((await rules()).find((rule) => rule.updateType === 'CPE')).toMatchObject({ approvedVersion: null, pendingVersion: VERSION });

    // The lagging node goes down. Once the real nodes hold the files, a plain approval goes
    // through; while replication has not caught up, an operator may force it.
    clearInterval(lagging);
    await db.query(`UPDATE pool_nodes SET frontend_heartbeat_at = NULL, worker_heartbeat_at = NULL WHERE id = $1`, [LAGGING_NODE]);
    let replicated = false;
    for (const deadline = Date.now() + 30_000; !replicated && Date.now() < deadline; ) {
      replicated = (await rules()).find((rule) => rule.updateType === 'CPE')?.replication.pending === 'complete';
      if (!replicated) {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    if (replicated) {
      await page.getByRole('button', { name: 'Approve', exact: true }).click();
      await dialog.getByRole('button', { name: 'Approve', exact: true }).click();
    } else {
      await page.getByRole('button', { name: 'Approve anyway (force) …' }).click();
      await containsText(dialog, 'Forcing approves');
      await dialog.getByRole('button', { name: 'Approve anyway' }).click();
    }
    await containsText(page.locator('.outcomes'), '1 of 1 done');
    await containsText(page.locator('.outcomes .ok'), 'approved');
    expect((await rules()).find((rule) => rule.updateType === 'CPE')).toMatchObject({ approvedVersion: VERSION, pendingVersion: null });
    await page.screenshot({ path: join(ARTIFACTS, 'device-update-approved-1280.png'), fullPage: true });
    await context.close();
  }, 180_000);

  it("creates a test device (after Lync's validation message) and deletes it, and changes the log configuration", async () => {
    const { context, page } = await newPage();
    await signIn(page, ADMIN);
    await open(page, 'test-devices');
    await page.getByRole('button', { name: 'New test device…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('Lab CX600');
    await dialog.getByRole('textbox', { name: /^MAC address/ }).fill('01-02-03-04-05');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await containsText(dialog.locator('.field-error'), 'is not a valid MAC address');
    await hasAttribute(dialog.getByRole('textbox', { name: /^MAC address/ }), 'aria-invalid', 'true');
    await page.screenshot({ path: join(ARTIFACTS, 'test-devices-invalid-1280.png') });
    await dialog.getByRole('textbox', { name: /^MAC address/ }).fill('00:04:f2:12:34:56');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await containsText(page.getByRole('status'), 'Test device "Lab CX600" created.');
    await containsText(page.locator('table'), '00-04-F2-12-34-56');
    let devices = (await api<{ items: { name: string }[] }>('GET', '/api/v1/test-devices')).body.items;
    expect(devices.map((each) => each.name)).toEqual(['Lab CX600']);

    await page.getByRole('button', { name: 'Delete Lab CX600' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await containsText(page.getByRole('status'), 'deleted');
    devices = (await api<{ items: { name: string }[] }>('GET', '/api/v1/test-devices')).body.items;
    expect(devices).toEqual([]);

    // Device Log Configuration: a value out of Lync's range is refused beside its field, then a good one saved.
    await open(page, 'configuration');
    const global = page.locator('form[data-scope=global]');
    const interval = global.getByLabel('Log clean-up interval');
    await hasValue(interval, '10.00:00:00');
    await interval.fill('400.00:00:00');
    await global.getByRole('button', { name: 'Save' }).click();
    await containsText(global.locator('.field-error'), 'from 1.00:00:00 to 365.00:00:00');
    await interval.fill('30.00:00:00');
    await global.getByRole('button', { name: 'Save' }).click();
    await containsText(global.getByRole('status'), 'Saved.');
    const saved = await api<{ logCleanUpInterval: string }>('GET', '/api/v1/configuration/global');
    expect(saved.body.logCleanUpInterval).toBe('30.00:00:00');

    // Some phones, for the inventory's chart and the request audit.
    for (const [mac, version] of [
      ['00-04-F2-00-00-01', VERSION],
      ['00-04-F2-00-00-02', VERSION],
      ['00-04-F2-00-00-03', '4.0.7577.4300'],
    ]) {
      const answer = await fetch(`${pool.internalUrl}/RequestHandler/ucdevice.upx`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/xml' },
        body:
          `<?xml version="1.0" encoding="utf-8"?><Request><DeviceType>UCPhone</DeviceType><MacAddress>${mac}</MacAddress>` +
          `<Vendor>Polycom</Vendor><Model>CX600</Model><Revision>A</Revision><Locale>ENU</Locale><Modules>` +
          `<Module><UpdateType>CPE</UpdateType><Filename>CPE.nbt</Filename><Version>${version}</Version></Module></Modules></Request>`,
      });
      expect(answer.status).toBe(200);
    }
    await open(page, 'inventory');
    await hasAttribute(page.locator('figure.chart svg[role=img]'), 'aria-label', /Polycom CX600 — CPE: 2 on 4\.0\.7577\.4400, 1 on 4\.0\.7577\.4300/);
    await open(page, 'audit');
    await containsText(page.locator('table'), 'configuration.set');
    await containsText(page.locator('table'), 'rule.approve');
    // Each change names what it changed as administrators know it, not only by its id.
    await containsText(page.locator('table'), 'UCPhone/Polycom/CX600/A/ENU/CPE');

    // The pool at a glance: the checks above show in the chart of the node that answered them,
    // once the nodes have written their minutes (every five seconds); a node that never ran has none.
    await open(page, 'pool');
    const charts = page.locator('table.activity svg[role=img]');
    await eventually(
      () => charts.evaluateAll((svgs) => svgs.map((svg) => svg.getAttribute('aria-label') ?? '')),
      (labels) => labels.some((label) => /node-\d, update checks per second, last hour: now [\d.]+, peak (?:[1-9]|0\.\d*[1-9])/.test(label)),
      'a node\'s chart of update checks per second to show the checks made',
    );
    await hasAttribute(page.locator('table.activity svg[aria-label^="node-lagging, update checks"]'), 'aria-label', /no figures$/);
    // Both nodes ran: their rates are drawn (zeros where idle); latency where a node answered checks.
    expect(await page.locator('table.activity path.spark-line').count()).toBeGreaterThanOrEqual(5);

    // Screenshots of every page, wide and narrow, with the data the tests made.
    await screenshots(page, '');

    // Sign-out ends the session: the API refuses the cookie, the page shows the sign-in.
    await open(page, 'rules');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin API token').waitFor();
    const after = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
    expect(after).toBe(401);
    await context.close();
  }, 180_000);

  it('shows a viewer everything read-only, and the API refuses what the panel does not offer', async () => {
    const { context, page } = await newPage();
    await signIn(page, viewerToken);
    await containsText(page.locator('.who'), 'viewer');
    for (const [hash] of PAGES) {
      await open(page, hash);
      const offered = await page
        .locator('main button:not([disabled])')
        .evaluateAll((buttons) =>
          buttons
            .map((button) => button.textContent?.trim() ?? '')
            .filter((label) => !['Filter', 'Clear', '← Previous', 'Next →', 'Refresh', 'Show', 'Hide', 'Admin changes', 'Update requests', 'Show more rules'].includes(label)),
        );
      expect({ page: hash, offered }).toEqual({ page: hash, offered: [] });
      expect(await page.locator('main input[type=checkbox], main input[type=file]').count()).toBe(0);
      for (const input of await page.locator('.card input').all()) {
        expect(await input.getAttribute('readonly')).not.toBeNull();
      }
    }
    await screenshots(page, 'viewer-');
    // What the panel hides, the API refuses anyway.
    const rule = (await rules()).find((each) => each.updateType === 'UCM')!;
    const refused = await page.evaluate(async (id) => {
      const session = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
      const answer = await fetch(`/api/v1/rules/${id}/approve?force=true`, { method: 'POST', headers: { 'X-CSRF-Token': session.csrfToken } });
      return { status: answer.status, body: await answer.json() };
    }, rule.id);
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'Forbidden' } } });
    await context.close();
  }, 180_000);

  it('lets an operator approve but not change the log configuration, which needs an admin', async () => {
    const { context, page } = await newPage();
    await signIn(page, operatorToken);
    await open(page, 'configuration');
    await containsText(page.locator('.note'), 'need the admin role');
    expect(await page.locator('form[data-scope=global] button').count()).toBe(0);
    await open(page, 'rules');
    await page.getByRole('button', { name: 'Approve', exact: true }).waitFor({ state: 'visible' });
    await context.close();
  }, 60_000);

  it('signs a directory user of the operator group in, who approves a rule but is not offered the configuration; a user in no group is refused', async () => {
    const { context, page } = await newPage();
    await page.goto('/cp/');
    await page.getByLabel('User name').fill(TEST_DIRECTORY.users.alice.uid);
    await page.getByLabel('Password', { exact: true }).fill(TEST_DIRECTORY.users.alice.password);
    await page.getByRole('button', { name: 'Sign in with the directory' }).click();
    await containsText(page.locator('.sign-in'), "none of the administrators' groups");
    await page.getByLabel('User name').fill(TEST_DIRECTORY.users.olga.uid);
    await page.getByLabel('Password', { exact: true }).fill(TEST_DIRECTORY.users.olga.password);
    await page.screenshot({ path: join(ARTIFACTS, 'sign-in-directory-1280.png') });
    await page.getByRole('button', { name: 'Sign in with the directory' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await containsText(page.locator('.who'), 'ldap:olga');
    await containsText(page.locator('.who'), 'operator');
    await open(page, 'configuration');
    await containsText(page.locator('.note'), 'need the admin role');
    expect(await page.locator('form[data-scope=global] button').count()).toBe(0);
    // She approves the UCM rule, pending since the upload, once every node holds its file.
    await eventually(rules, (items) => items.find((rule) => rule.updateType === 'UCM')?.replication.pending === 'complete', 'UCM replicated');
    await open(page, 'rules');
    await page.getByLabel('Select Polycom CX600 A ENU UCM').check();
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve', exact: true }).click();
    await containsText(page.locator('.outcomes .ok'), 'approved');
    expect((await rules()).find((rule) => rule.updateType === 'UCM')).toMatchObject({ approvedVersion: '1.2.4', pendingVersion: null });
    const [audited] = (await db.query(`SELECT actor, role FROM admin_audit WHERE action = 'rule.approve' ORDER BY id DESC LIMIT 1`)).rows;
    expect(audited).toEqual({ actor: 'ldap:olga', role: 'operator' });
    await context.close();
  }, 60_000);
});

/** Waits (up to 15 s) until `check` holds for what `read` gives, else fails showing the last value. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string): Promise<void> {
  let last: T | undefined;
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
    try {
      last = await read();
      if (check(last)) {
        return;
      }
    } catch {
      // not there yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}; last seen: ${JSON.stringify(last)}`);
}

function containsText(locator: Locator, text: string): Promise<void> {
  return eventually(() => locator.first().textContent({ timeout: 1_000 }), (value) => (value ?? '').includes(text), `expected ${locator} to contain "${text}"`);
}

function hasAttribute(locator: Locator, name: string, value: string | RegExp): Promise<void> {
  return eventually(
    () => locator.getAttribute(name, { timeout: 1_000 }),
    (actual) => (typeof value === 'string' ? actual === value : value.test(actual ?? '')),
    `expected ${locator} to have ${name}=${String(value)}`,
  );
}

function hasValue(locator: Locator, value: string): Promise<void> {
  return eventually(() => locator.inputValue({ timeout: 1_000 }), (actual) => actual === value, `expected ${locator} to have the value "${value}"`);
}
