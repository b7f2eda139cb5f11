import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DdiActionView, DdiTargetDetailView, NewDdiTargetView, Page as ApiPage } from '@ucupdates/admin-api';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { useTestPool } from '../support/harness';
import { buildPackage } from '../support/package-builder';
import { buildTestSwu } from '../support/swu-builder';
import { testServices } from '../support/test-environment';
import { waitFor } from '../support/waiting';

const ARTIFACTS = join(testServices.stateDir, 'artifacts', 'ddi-panel');
const ATTRIBUTES = { vendor: 'Contoso', model: 'Gateway-1', hwRevision: '1.0' };
const VERSION = '2.4.0';

/** The feedback SWUpdate sends when it closes an action (ddi.md), with `finished` success or failure. */
const closed = (actionId: string, finished: 'success' | 'failure') => ({
  id: Number(actionId),
  time: '20261203T041500',
  status: { result: { progress: { cnt: 1, of: 1 }, finished }, execution: 'closed', details: [`finished: ${finished}`] },
});

/**
 * The control panel's DDI Devices and DDI Actions pages in a real browser (Debian's headless
 * Chromium, as test/e2e/control-panel.e2e-spec.ts drives it) against a real pool behind HAProxy,
 * with devices that poll and report through the DDI API as SWUpdate does: registering a device
 * (a refused attribute first) and the token shown once that the device then polls with, the list
 * filtered by installed version and paged, a device's installed version, last poll, open action
 * and results, a failed action retried, a new token (the old one refused at once), a removal, and
 * a viewer who sees it all without a way to change anything. Screenshots, wide and narrow, go to
 * .pool/test/artifacts/ddi-panel/.
 */
describe('the control panel shows DDI devices beside phones, in a browser', () => {
  const harness = useTestPool(__filename, { name: 'e2e-ddi-panel', nodes: 1 });
  const ADMIN = harness.token;
  let browser: Browser;
  let operatorToken: string;
  let viewerToken: string;
  const tokens: Record<string, string> = {};

  const call = async <T>(path: string, init: { method?: string; token?: string; authorization?: string; body?: unknown; raw?: Buffer; type?: string } = {}) => {
    const headers: Record<string, string> = { Authorization: init.authorization ?? `Bearer ${init.token ?? ADMIN}` };
    if (init.body !== undefined || init.raw !== undefined) headers['Content-Type'] = init.type ?? 'application/json';
    const response = await fetch(`${harness.pool.internalUrl}${path}`, {
      method: init.method ?? 'GET',
      headers,
      body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const device = (controllerId: string, path = '', init: { method?: string; body?: unknown } = {}) =>
    call<{ _links: Record<string, { href: string }> }>(`/DEFAULT/controller/v1/${controllerId}${path}`, {
      ...init,
      authorization: `TargetToken ${tokens[controllerId]}`,
    });
  const target = async (controllerId: string) => (await call<DdiTargetDetailView>(`/api/v1/ddi/targets/${controllerId}`)).body;

  /** The device polls, is linked its deployment, and reports it closed with `finished`; the action's id. */
  const install = async (controllerId: string, finished: 'success' | 'failure'): Promise<string> => {
    const polled = await device(controllerId);
    expect(polled.status).toBe(200);
    const actionId = /deploymentBase\/(\d+)$/.exec(polled.body._links.deploymentBase.href)![1];
    expect((await device(controllerId, `/deploymentBase/${actionId}/feedback`, { method: 'POST', body: closed(actionId, finished) })).status).toBe(200);
    return actionId;
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    operatorToken = (await call<{ token: string }>('/api/v1/tokens', { method: 'POST', body: { name: 'ddi operator', role: 'operator' } })).body.token;
    viewerToken = (await call<{ token: string }>('/api/v1/tokens', { method: 'POST', body: { name: 'ddi viewer', role: 'viewer' } })).body.token;

    // A DDI update (a signed .swu, no catalog) imported and approved, as an operator would.
    const { pki, stateDir } = harness;
    const swu = buildTestSwu(join(stateDir, 'swu'), pki, { version: VERSION, targetDir: join(stateDir, 'target') });
    const cab = buildPackage(join(stateDir, 'package'), pki, [
      { folder: 'OS', deviceType: 'DDI', ...{ brand: 'Contoso', model: 'Gateway-1', revision: '1.0' }, locale: 'Neutral', updateType: 'os', version: VERSION, image: swu.bytes, imageName: `gateway-${VERSION}.swu`, catalog: false },
    ]);
    const uploaded = await call<{ importId: string }>('/api/v1/updates', { method: 'POST', raw: cab, type: 'application/vnd.ms-cab-compressed' });
    expect(uploaded.status).toBe(202);
    const imported = await waitFor('the import', 60_000, async () => {
      const { body } = await call<{ status: string; error: unknown; updates: { ruleId: string }[] }>(`/api/v1/imports/${uploaded.body.importId}`);
      if (body.status === 'failed') throw new Error(`the import failed: ${JSON.stringify(body.error)}`);
      return body.status === 'succeeded' && body;
    });
    await waitFor('the approval', 60_000, async () => (await call(`/api/v1/rules/${imported.updates[0].ruleId}/approve`, { method: 'POST' })).status === 200);

    // 51 more devices registered than a page of the panel holds (50).
    for (let i = 0; i <= 50; i++) {
      const controllerId = `fleet-${String(i).padStart(3, '0')}`;
      expect((await call('/api/v1/ddi/targets', { method: 'POST', body: { controllerId, attributes: { ...ATTRIBUTES, model: 'Room-9' } } })).status).toBe(201);
    }
    browser = await chromium.launch({ executablePath: process.env.UCU_TEST_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
  });

  const signedIn = async (token: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: harness.pool.internalUrl });
    const page = await context.newPage();
    page.on('pageerror', (error) => {
      throw error;
    });
    await page.goto('/cp/');
    await page.getByLabel('Admin API token').fill(token);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    return page;
  };

  /** Opens a page of the panel by its address and waits for its heading and its data. */
  const open = async (page: Page, hash: string, title: string | RegExp, api: string) => {
    await page.goto('about:blank');
    const answered = page.waitForResponse((response) => new URL(response.url()).pathname === api && response.request().method() === 'GET');
    await page.goto(`/cp/#/${hash}`);
    await answered;
    await page.locator('#page-title', { hasText: title }).waitFor();
    await page.locator('main .loading').waitFor({ state: 'detached' });
  };

  const text = async (locator: Locator, expected: string | RegExp) => {
    await locator.filter({ hasText: expected }).first().waitFor({ timeout: 10_000 });
  };

  const rowsOf = (page: Page, table: string) => page.locator(`table.${table} tbody tr`);
  /** Waits until the table shows that many rows (a new page or filter has been drawn). */
  const rowCount = (page: Page, table: string, rows: number) =>
    waitFor(`${rows} rows in table.${table}`, 10_000, async () => (await rowsOf(page, table).count()) === rows, 100);

  it('registers a device (a refused attribute first) and shows its token once, which the device then polls with', async () => {
    const page = await signedIn(operatorToken);
    await open(page, 'ddi-targets', 'DDI Devices', '/api/v1/ddi/targets');
    await page.getByRole('button', { name: 'Register device…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Register a DDI device' });
    await dialog.getByLabel('Controller id').fill('gw-panel-1');
    await dialog.getByLabel('Vendor').fill('Contoso');
    await dialog.getByLabel('Model').fill('Gateway 1');
    await dialog.getByLabel('HW revision').fill('1.0');
    await dialog.getByRole('button', { name: 'Register and issue token' }).click();
    // The API's refusal beside the field it names (attributes.model): no rule could hold a space.
    await dialog.locator('input[name=model][aria-invalid=true]').waitFor();
    await text(dialog.locator('.field-error'), /rule key field/);
    await dialog.getByLabel('Model').fill('Gateway-1');
    await dialog.getByRole('button', { name: 'Register and issue token' }).click();

    const shown = page.getByRole('dialog', { name: 'Target token for gw-panel-1' });
    await text(shown, 'shown this once');
    tokens['gw-panel-1'] = await shown.locator('input.issued-token').inputValue();
    expect(tokens['gw-panel-1']).toMatch(/^ucu_/);
    await page.screenshot({ path: join(ARTIFACTS, 'token-shown-1280.png') });
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });
    // Nothing on the page keeps it.
    expect(await page.content()).not.toContain(tokens['gw-panel-1']);
    expect((await device('gw-panel-1')).status).toBe(200);
    await page.context().close();
  }, 120_000);

  it("lists the devices with their installed version, open action and last poll, filtered and paged; a device's results; a failure retried", async () => {
    const other = 'gw-panel-2';
    tokens[other] = (await call<NewDdiTargetView>('/api/v1/ddi/targets', { method: 'POST', body: { controllerId: other, attributes: ATTRIBUTES } })).body.token;
    const failed = await install('gw-panel-1', 'failure');
    const succeeded = await install(other, 'success');
    await waitFor('the inventory and the audit', 15_000, async () => {
      const [one, two] = [await target('gw-panel-1'), await target(other)];
      return one.lastPoll !== null && two.installed.length === 1;
    });

    const page = await signedIn(operatorToken);
    await open(page, 'ddi-targets', 'DDI Devices', '/api/v1/ddi/targets');
    // Two pages: 53 devices, 50 a page.
    await rowCount(page, 'ddi-targets', 50);
    await page.getByRole('button', { name: 'Next →' }).click();
    await text(page.locator('.pager'), 'Page 2');
    await rowCount(page, 'ddi-targets', 3);
    await expect(rowsOf(page, 'ddi-targets').allInnerTexts()).resolves.toEqual([
      expect.stringContaining('fleet-050'),
      expect.stringContaining('gw-panel-1'),
      expect.stringContaining('gw-panel-2'),
    ]);
    const installedRow = page.locator(`tr[data-controller-id="${other}"]`);
    await text(installedRow, `os ${VERSION}`);
    await text(installedRow, 'node-1');

    // Filtered by installed version: only the device that installed it.
    await page.getByLabel('Installed version').fill(VERSION);
    await page.getByRole('button', { name: 'Filter' }).click();
    await rowCount(page, 'ddi-targets', 1);
    await text(rowsOf(page, 'ddi-targets'), other);
    await page.screenshot({ path: join(ARTIFACTS, 'ddi-devices-filtered-1280.png'), fullPage: true });

    // The failed device in full: never installed, no open action, its last poll and its result.
    await page.goto(`/cp/#/ddi-targets?device=gw-panel-1`);
    await page.locator('#page-title', { hasText: 'DDI device gw-panel-1' }).waitFor();
    const shownTarget = await target('gw-panel-1');
    await text(page.locator('dd.installed'), 'none yet');
    await text(page.locator('dd.open-action'), 'none');
    await text(page.locator('dd.last-poll'), `by ${shownTarget.lastPoll!.nodeId} from ${shownTarget.lastPoll!.address}`);
    await rowCount(page, 'ddi-results', 1);
    await expect(rowsOf(page, 'ddi-results').allInnerTexts()).resolves.toEqual([expect.stringMatching(new RegExp(`^${failed}\\s+os\\s+${VERSION}\\s+failed\\s+closed\\s+failure`))]);
    await page.screenshot({ path: join(ARTIFACTS, 'ddi-device-1280.png'), fullPage: true });

    // Its actions, from its page; the failure retried: its next poll is offered the version again.
    await page.getByRole('link', { name: 'Every action of this device' }).click();
    await page.locator('#page-title', { hasText: 'DDI Actions' }).waitFor();
    await rowCount(page, 'ddi-actions', 1);
    await expect(page.getByLabel('Controller id').inputValue()).resolves.toBe('gw-panel-1');
    await page.getByRole('button', { name: `Retry action ${failed}` }).click();
    await page.getByRole('dialog', { name: `Retry action ${failed}?` }).getByRole('button', { name: 'Retry' }).click();
    await text(page.locator('.notice'), `Action ${failed} retried`);
    await text(page.locator(`tr[data-action-id="${failed}"] td.status`), 'retried');
    await expect(page.getByRole('button', { name: `Retry action ${failed}` }).count()).resolves.toBe(0);
    const [action] = (await call<ApiPage<DdiActionView>>('/api/v1/ddi/actions?controllerId=gw-panel-1')).body.items;
    expect(action).toMatchObject({ id: failed, status: 'failed', retriedAt: expect.any(String) });
    const again = await device('gw-panel-1');
    expect(again.body._links.deploymentBase.href).not.toMatch(new RegExp(`/${failed}$`));
    await page.screenshot({ path: join(ARTIFACTS, 'ddi-actions-1280.png'), fullPage: true });

    // The device that installed it: its version and its result.
    await page.goto(`/cp/#/ddi-targets?device=${other}`);
    await page.locator('#page-title', { hasText: `DDI device ${other}` }).waitFor();
    await text(page.locator('dd.installed'), `os ${VERSION}`);
    await rowCount(page, 'ddi-results', 1);
    await expect(rowsOf(page, 'ddi-results').allInnerTexts()).resolves.toEqual([expect.stringMatching(new RegExp(`^${succeeded}\\s+os\\s+${VERSION}\\s+succeeded\\s+closed\\s+success`))]);
    await page.context().close();
  }, 120_000);

  it('issues a new token (the old one refused at once) and removes a device', async () => {
    const page = await signedIn(operatorToken);
    await page.goto('/cp/#/ddi-targets?device=gw-panel-1');
    await page.locator('dd.last-poll').waitFor();
    const old = tokens['gw-panel-1'];
    await page.getByRole('button', { name: 'Issue new token…' }).click();
    await page.getByRole('dialog', { name: 'Issue a new token for gw-panel-1?' }).getByRole('button', { name: 'Issue new token' }).click();
    const shown = page.getByRole('dialog', { name: 'Target token for gw-panel-1' });
    tokens['gw-panel-1'] = await shown.locator('input.issued-token').inputValue();
    expect(tokens['gw-panel-1']).not.toBe(old);
    await shown.getByRole('button', { name: 'Done' }).click();
    expect((await device('gw-panel-1')).status).toBe(200);
    expect((await call(`/DEFAULT/controller/v1/gw-panel-1`, { authorization: `TargetToken ${old}` })).status).toBe(401);

    await page.goto('/cp/#/ddi-targets?device=gw-panel-2');
    await page.locator('dd.last-poll').waitFor();
    await page.getByRole('button', { name: 'Remove device…' }).click();
    await page.getByRole('dialog', { name: 'Remove DDI device gw-panel-2?' }).getByRole('button', { name: 'Remove' }).click();
    await text(page.locator('.notice'), 'DDI device gw-panel-2 removed');
    expect((await call('/api/v1/ddi/targets/gw-panel-2')).status).toBe(404);
    expect((await device('gw-panel-2')).status).toBe(401);
    await page.context().close();
  }, 120_000);

  it('lets a viewer see the devices and actions beside the phone pages, with no way to change them, on wide and narrow windows', async () => {
    const page = await signedIn(viewerToken);
    const links = await page.getByRole('navigation', { name: 'Pages' }).getByRole('link').allInnerTexts();
    expect(links.slice(links.indexOf('Inventory'), links.indexOf('Inventory') + 3)).toEqual(['Inventory', 'DDI Devices', 'DDI Actions']);
    for (const [width, height] of [
      [1280, 800],
      [400, 800],
    ]) {
      await page.setViewportSize({ width, height });
      for (const [hash, title, api, name] of [
        ['ddi-targets', 'DDI Devices', '/api/v1/ddi/targets', 'ddi-devices'],
        ['ddi-targets?device=gw-panel-1', 'DDI device gw-panel-1', '/api/v1/ddi/targets/gw-panel-1', 'ddi-device'],
        ['ddi-actions', 'DDI Actions', '/api/v1/ddi/actions', 'ddi-actions'],
      ]) {
        await open(page, hash, title, api);
        await page.locator('.note', { hasText: 'Read only' }).waitFor();
        for (const label of ['Register device…', 'Issue new token…', 'Remove device…', 'Retry']) {
          await expect(page.getByRole('button', { name: label }).count()).resolves.toBe(0);
        }
        await page.screenshot({ path: join(ARTIFACTS, `viewer-${name}-${width}.png`), fullPage: true });
        const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        expect({ page: name, width, overflow }).toEqual({ page: name, width, overflow: 0 });
      }
    }
    // What the panel does not offer, the API refuses anyway.
    expect((await call('/api/v1/ddi/targets/gw-panel-1/token', { method: 'POST', token: viewerToken })).status).toBe(403);
    const failedActions = (await call<ApiPage<DdiActionView>>('/api/v1/ddi/actions?status=failed')).body.items;
    expect(failedActions.length).toBeGreaterThan(0);
    await page.context().close();
  }, 120_000);
});
