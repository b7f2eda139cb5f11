import { hashToken } from '../../apps/frontend/src/auth/token-hash';
import type { Frontend } from '../../apps/frontend/src/frontend';
import type { RuleAdoptionView } from '@ucupdates/admin-api';
import type { Config } from '@ucupdates/config';
import { offeredVersion, sameVersion } from '@ucupdates/rules';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { prepareServices, startTestFrontend } from '../support/harness';
import { generateDevices, seedInventoryRules } from '../support/inventory-generator';
import { suiteResources, testConfig } from '../support/test-environment';

const suite = suiteResources(__filename);

const ADMIN = 'inventory-admin-token-0123456789';
const VIEWER = 'inventory-viewer-token-0123456789';
const DEVICES = 100_000;

interface Module {
  updateType: string;
  version: string;
}

interface Device {
  id: string;
  device_type: string;
  brand: string;
  model: string;
  revision: string;
  locale: string;
  modules: Module[];
  is_test_device: boolean;
  last_seen_at: Date;
}

interface Rule {
  id: string;
  device_type: string;
  brand: string;
  model: string;
  revision: string;
  locale: string;
  update_type: string;
  approved_version: string | null;
  pending_version: string | null;
}

interface BehindDevice {
  id: string;
  lastSeenAt: string;
  behind: { ruleId: string; installedVersion: string | null; offeredVersion: string }[];
}

interface Count {
  value: string;
  devices: number;
}

const fold = (text: string) => text.toLowerCase();
const kindOf = (row: Pick<Device, 'device_type' | 'brand' | 'model' | 'revision' | 'locale'>) =>
  [row.device_type, row.brand, row.model, row.revision, row.locale].map(fold).join('/');

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** The version a device reports for an update type, as the update check reads it: null for none or blank. */
function installedOf(device: Device, updateType: string): string | null {
  const module = device.modules.find((each) => fold(each.updateType) === fold(updateType));
  return module?.version.trim() || null;
}

/**
 * The inventory's summary, compliance and exports against the real Postgres with 100,000 devices
 * (test/support/inventory-generator.ts): every count the API gives is checked against a GROUP BY
 * over the table, or against libs/rules' own offer logic run over every device in TypeScript.
 */
describe('the inventory at a pool’s size (/api/v1/devices/summary, /compliance, /export)', () => {
  let config: Config;
  let frontend: Frontend;
  let dataSource: DataSource;
  let devices: Device[];
  let rules: Rule[];
  const api = () => request(frontend.internal.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const query = <T>(sql: string, parameters?: unknown[]) => dataSource.query<T>(sql, parameters);

  beforeAll(async () => {
    config = testConfig({ DATABASE_URL: await suite.recreateDatabase(), REDIS_URL: suite.redisUrl, UCU_BOOTSTRAP_ADMIN_TOKEN: ADMIN });
    await prepareServices(config);
    frontend = await startTestFrontend(config);
    dataSource = frontend.core.get(DataSource);
    await query(`INSERT INTO admin_tokens (name, role, token_hash) VALUES ('viewer', 'viewer', $1)`, [hashToken(VIEWER)]);
    await seedInventoryRules(query);
    await generateDevices(query, DEVICES);
    devices = await query<Device[]>(
      'SELECT id, device_type, brand, model, revision, locale, modules, is_test_device, last_seen_at FROM devices',
    );
    rules = await query<Rule[]>('SELECT * FROM rules');
  }, 180_000);

  afterAll(async () => {
    await frontend?.close();
  });

  const summary = async (filters = '') => (await api().get(`/api/v1/devices/summary${filters}`).set(as(VIEWER)).expect(200)).body;
  /** Every page of the compliance list under `filters`, 1000 at a time. */
  const allBehind = async (filters: string): Promise<BehindDevice[]> => {
    const items: BehindDevice[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await api()
        .get(`/api/v1/devices/compliance?limit=1000${filters ? `&${filters}` : ''}${cursor ? `&cursor=${cursor}` : ''}`)
        .set(as(VIEWER))
        .expect(200);
      items.push(...(page.body.items as BehindDevice[]));
      cursor = page.body.nextCursor;
    } while (cursor);
    return items;
  };
  const byValue = (counts: Count[]) => Object.fromEntries(counts.map((count) => [fold(count.value), count.devices]));

  it('made the inventory it is about: 100,000 devices, their kinds, test devices and the odd spellings', async () => {
    expect(devices).toHaveLength(DEVICES);
    expect(devices.filter((device) => device.is_test_device).length).toBeGreaterThan(500);
    expect(devices.some((device) => device.brand === 'polycom')).toBe(true);
    expect(devices.some((device) => device.modules.some((module) => module.version === ''))).toBe(true);
    expect(rules).toHaveLength(80);
  });

  it.each([
    ['', ''],
    ['?brand=POLYCOM', "WHERE brand = 'POLYCOM'"],
    ['?model=aastra%203&seenSince=2000-01-01T00:00:00Z', "WHERE model = 'aastra 3'"],
    ['?version=4.0.7577.4401', `WHERE modules @> '[{"version": "4.0.7577.4401"}]'`],
  ])('counts per field what a GROUP BY over the table counts (%s)', async (filters, where) => {
    const answer = await summary(filters);
    const [total] = await query<{ devices: number; test: number }[]>(
      `SELECT count(*)::int AS devices, (count(*) FILTER (WHERE is_test_device))::int AS test FROM devices ${where}`,
    );
    expect(answer.devices).toBe(total.devices);
    expect(answer.testDevices).toBe(total.test);
    expect(total.devices).toBeGreaterThan(0);
    for (const [field, column] of [
      ['brands', 'brand'],
      ['models', 'model'],
      ['revisions', 'revision'],
      ['locales', 'locale'],
    ] as const) {
      const rows = await query<{ value: string; devices: number }[]>(
        `SELECT lower(${column}::text) AS value, count(*)::int AS devices FROM devices ${where} GROUP BY 1`,
      );
      expect(byValue(answer[field])).toEqual(Object.fromEntries(rows.map((row) => [row.value, row.devices])));
    }
    const modules = await query<{ update_type: string; version: string; devices: number }[]>(
      `SELECT lower(m->>'updateType') AS update_type, m->>'version' AS version, count(*)::int AS devices
         FROM devices, jsonb_array_elements(modules) AS m ${where} GROUP BY 1, 2`,
    );
    const versionKey = (row: { updateType: string; version: string }) => `${fold(row.updateType)} ${row.version}`;
    expect(Object.fromEntries(answer.versions.map((row: Module & { devices: number }) => [versionKey(row), row.devices]))).toEqual(
      Object.fromEntries(modules.map((row) => [`${row.update_type} ${row.version}`, row.devices])),
    );
    const perType = new Map<string, number>();
    for (const row of modules) perType.set(row.update_type, (perType.get(row.update_type) ?? 0) + row.devices);
    expect(byValue(answer.updateTypes)).toEqual(Object.fromEntries(perType));
    const modelVersions = await query<{ key: string; devices: number }[]>(
      `SELECT lower(brand::text) || ' ' || lower(model::text) || ' ' || lower(m->>'updateType') || ' ' || (m->>'version') AS key,
              count(*)::int AS devices
         FROM devices, jsonb_array_elements(modules) AS m ${where} GROUP BY 1`,
    );
    expect(
      Object.fromEntries(
        answer.modelVersions.map((row: { brand: string; model: string; updateType: string; version: string; devices: number }) => [
          `${fold(row.brand)} ${fold(row.model)} ${fold(row.updateType)} ${row.version}`,
          row.devices,
        ]),
      ),
    ).toEqual(Object.fromEntries(modelVersions.map((row) => [row.key, row.devices])));
  });

  it('counts per rule the devices on its approved version, its pending one, another, none, and its test devices, as libs/rules compares versions', async () => {
    const answer = await summary();
    const byKind = groupBy(devices, kindOf);
    const expected = rules.map((rule) => {
      const counts = { devices: 0, onApproved: 0, onPending: 0, onOther: 0, onNone: 0, testDevices: 0 };
      for (const device of byKind.get(kindOf(rule)) ?? []) {
        const installed = installedOf(device, rule.update_type);
        counts.devices += 1;
        counts.testDevices += device.is_test_device ? 1 : 0;
        if (installed === null) counts.onNone += 1;
        else if (rule.approved_version !== null && sameVersion(installed, rule.approved_version)) counts.onApproved += 1;
        else if (rule.pending_version !== null && sameVersion(installed, rule.pending_version)) counts.onPending += 1;
        else counts.onOther += 1;
      }
      return { ruleId: rule.id, approvedVersion: rule.approved_version, pendingVersion: rule.pending_version, ...counts };
    });
    const byRule = (list: RuleAdoptionView[]) =>
      [...list]
        .sort((a, b) => a.ruleId.localeCompare(b.ruleId))
        .map(({ ruleId, approvedVersion, pendingVersion, devices: count, onApproved, onPending, onOther, onNone, testDevices }) => ({
          ruleId,
          approvedVersion,
          pendingVersion,
          devices: count,
          onApproved,
          onPending,
          onOther,
          onNone,
          testDevices,
        }));
    expect(byRule(answer.rules)).toEqual(byRule(expected as RuleAdoptionView[]));
    // The odd spellings are there to be counted: the approved version written another way (4.1.1.0, 04.0.7577.4401).
    expect(devices.some((device) => device.modules.some((module) => /^0|^4\.1\.\d\.0$/.test(module.version)))).toBe(true);
    expect(expected.some((rule) => rule.onPending > 0 && rule.onOther > 0 && rule.onNone > 0)).toBe(true);
  });

  it('lists, page by page, exactly the devices not on the version their rules offer them, with what they run', async () => {
    const byKind = groupBy(rules, kindOf);
    const behindOf = (device: Device) =>
      (byKind.get(kindOf(device)) ?? []).flatMap((rule) => {
        const offered = offeredVersion({ approvedVersion: rule.approved_version, pendingVersion: rule.pending_version, rolledBackVersion: null }, device.is_test_device);
        const installed = installedOf(device, rule.update_type);
        return offered === null || sameVersion(offered, installed) ? [] : [`${rule.id} ${installed} ${offered}`];
      });
    const expected = new Map(devices.map((device) => [device.id, behindOf(device).sort()] as const).filter(([, behind]) => behind.length > 0));
    expect(expected.size).toBeGreaterThan(1000);
    expect(expected.size).toBeLessThan(DEVICES);

    const seen = new Map<string, string[]>();
    let previous = Infinity;
    for (const item of await allBehind('')) {
      expect(seen.has(item.id)).toBe(false);
      expect(Date.parse(item.lastSeenAt)).toBeLessThanOrEqual(previous);
      previous = Date.parse(item.lastSeenAt);
      seen.set(item.id, item.behind.map((module) => `${module.ruleId} ${module.installedVersion} ${module.offeredVersion}`).sort());
    }
    expect(seen.size).toBe(expected.size);
    expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(expected));
  }, 120_000);

  it('takes the list’s filters and a rule, and its pages of 100 are pages of the whole', async () => {
    const rule = rules.find((each) => each.approved_version !== null && each.pending_version !== null)!;
    const first = await api().get(`/api/v1/devices/compliance?ruleId=${rule.id}&brand=${rule.brand.toUpperCase()}`).set(as(VIEWER)).expect(200);
    expect(first.body.items).toHaveLength(100);
    for (const item of first.body.items) {
      expect(item.behind.map((module: { ruleId: string }) => module.ruleId)).toEqual([rule.id]);
      expect(fold(item.model)).toBe(fold(rule.model));
    }
    const second = await api().get(`/api/v1/devices/compliance?ruleId=${rule.id}&cursor=${first.body.nextCursor}`).set(as(VIEWER)).expect(200);
    expect(second.body.items[0].lastSeenAt <= first.body.items[99].lastSeenAt).toBe(true);
    const since = first.body.items[50].lastSeenAt;
    const recent = await api().get(`/api/v1/devices/compliance?ruleId=${rule.id}&seenSince=${since}&limit=1000`).set(as(VIEWER)).expect(200);
    expect(recent.body.items.map((item: { id: string }) => item.id)).toEqual(first.body.items.slice(0, recent.body.items.length).map((item: { id: string }) => item.id));
  });

  it('streams the whole inventory as CSV, one row per device, formula-leading cells neutralised', async () => {
    await query(
      `INSERT INTO devices (device_key, mac_address, device_type, brand, model, revision, locale, modules, first_seen_at, last_seen_at, last_node_id, last_address)
       VALUES ('mac:00-04-F2-FF-FF-01', '00-04-F2-FF-FF-01', 'UCPhone', '=HYPERLINK("x")', '+CX600', 'A', 'ENU',
               '[{"updateType": "CPE;1", "version": "@4#0"}]', now() - interval '100 days', now() - interval '100 days', 'node-1', '10.0.0.1')`,
    );
    try {
      const answer = await api().get('/api/v1/devices/export').set(as(VIEWER)).buffer(true).expect(200);
      expect(answer.headers['content-type']).toMatch(/^text\/csv/);
      expect(answer.headers['content-disposition']).toMatch(/^attachment; filename="ucupdates-inventory-\d{8}\.csv"$/);
      const lines = answer.text.split('\r\n');
      expect(lines.at(-1)).toBe('');
      expect(lines[0]).toBe(
        'Mac Address,Serial Number,Device Type,Vendor,Model,Revision,Locale,Modules,Test Device,First Seen,Last Seen,Last Node,Last Address,User Id,Id',
      );
      expect(lines).toHaveLength(DEVICES + 3);
      expect(lines.at(-2)).toMatch(/^00-04-F2-FF-FF-01,,UCPhone,"'=HYPERLINK\(""x""\)","'\+CX600",A,ENU,CPE%3B1;@4%230,no,/);
      const filtered = await api().get('/api/v1/devices/export?brand=polycom&seenSince=2000-01-01T00:00:00Z').set(as(VIEWER)).buffer(true).expect(200);
      const [{ count }] = await query<{ count: number }[]>(`SELECT count(*)::int AS count FROM devices WHERE brand = 'polycom'`);
      expect(filtered.text.split('\r\n')).toHaveLength(count + 2);
    } finally {
      await query(`DELETE FROM devices WHERE device_key = 'mac:00-04-F2-FF-FF-01'`);
    }
  }, 60_000);

  it('streams the devices behind on their rules as CSV, one row per rule a device is behind on', async () => {
    const rule = rules.find((each) => each.approved_version !== null)!;
    const answer = await api().get(`/api/v1/devices/compliance/export?ruleId=${rule.id}`).set(as(VIEWER)).buffer(true).expect(200);
    const lines = answer.text.split('\r\n').slice(0, -1);
    expect(lines[0]).toMatch(/,Id,Update Type,Installed Version,Offered Version$/);
    const items = await allBehind(`ruleId=${rule.id}`);
    expect(lines).toHaveLength(items.length + 1);
    expect(lines[1]).toContain(`,${items[0].id},${rule.update_type},`);
  });

  it('refuses an unknown filter by name, and what is not a rule id or a time', async () => {
    for (const [path, field] of [
      ['/api/v1/devices/summary?limit=5', 'limit'],
      ['/api/v1/devices/summary?modle=x', 'modle'],
      ['/api/v1/devices/compliance?ruleId=x', 'ruleId'],
      ['/api/v1/devices/compliance/export?seenSince=today', 'seenSince'],
      ['/api/v1/devices/export?cursor=abc', 'cursor'],
    ]) {
      const refused = await api().get(path).set(as(VIEWER)).expect(400);
      expect(refused.body.error).toMatchObject({ code: 'BadRequest', details: { field } });
    }
    for (const path of ['/api/v1/devices/summary', '/api/v1/devices/compliance', '/api/v1/devices/export', '/api/v1/devices/compliance/export']) {
      await api().get(path).expect(401);
    }
  });

  it('tells versions apart as libs/rules does (version_key against sameVersion)', async () => {
    const versions = ['1.2', '1.2.0', '1.2.0.0', '01.02', '1.20', '0', '0.0', '00', '10.0', '4.0.7577.4401', '04.0.7577.4401', '4.0.7577.44010',
      '2147483647', '2147483648', '02147483647', '1.2.3.4.5', '1.2.', '.1', 'abc', '1.2a', '123456789012345678901', '0000000000000000001'];
    const [{ keys }] = await query<{ keys: string[] }[]>('SELECT array_agg(version_key(v) ORDER BY n) AS keys FROM unnest($1::text[]) WITH ORDINALITY AS t(v, n)', [versions]);
    for (const [i, a] of versions.entries()) {
      for (const [j, b] of versions.entries()) {
        expect({ a, b, same: keys[i] === keys[j] }).toEqual({ a, b, same: sameVersion(a, b) });
      }
    }
  });
});
