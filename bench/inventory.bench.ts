import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { chromium } from 'playwright-core';
import { hashToken } from '../apps/frontend/src/auth/token-hash';
import { generateDevices } from '../test/support/inventory-generator';
import { BENCH, type BenchEnvironment } from './support/bench-environment';
import type { Benchmark } from './support/benchmark';
import { round, type Series, seriesOf } from './support/series';
import { int, plainRow, type TableRow } from './support/table';

/**
 * The inventory at a pool's size (docs/performance.md, "The inventory"): 100,000 devices made by
 * the generator (test/support/inventory-generator.ts) over the node environment's 300 rules, then,
 * through the node's admin API, the summary (`GET /api/v1/devices/summary`, everything counted), a
 * compliance page of 100 (the first, and one 50 pages in), and the Inventory page in Chromium from
 * navigation to its totals on screen. The baseline is a page of 100 of the device list, the
 * cheapest read of the same table, in the same runs. Each figure is the median of `runs` runs of
 * five requests (or page loads) each, after two of warm-up.
 */
export const INVENTORY_DEVICES = 100_000;

const GOALS = { summaryMs: 300, compliancePageMs: 200, firstPaintMs: 1000 } as const;

export interface InventoryFigures {
  benchmark: 'inventory';
  settings: { devices: number; runs: number; requestsPerRun: number };
  generatorSeconds: number;
  /** Milliseconds per answer, the median of each run's requests. */
  listPage: Series;
  summary: Series;
  summaryFiltered: Series;
  compliancePage: Series;
  complianceDeepPage: Series;
  /** Milliseconds from navigation to the totals shown, per run (median of its page loads). */
  firstPaint: Series;
  /**
   * Where a page load's time went, milliseconds from the navigation's start (the browser's
   * Resource Timing), the median over every timed load: the session request's answer, the summary
   * request's start and its answer.
   */
  firstPaintParts?: { sessionAnswered: number; summaryAsked: number; summaryAnswered: number };
  goals: typeof GOALS;
}

const REQUESTS_PER_RUN = 5;
const WARM_UP = 2;

export const inventoryBenchmark: Benchmark<'node', InventoryFigures> = {
  name: 'inventory',
  about: 'the inventory of 100,000 devices: its summary, compliance pages, the Inventory page in Chromium',
  environment: 'node',
  async run(environment, options, progress) {
    const token = `bench-inventory-${randomBytes(12).toString('hex')}`;
    const db = new Client({ connectionString: BENCH.databaseUrl });
    await db.connect();
    let generatorSeconds: number;
    try {
      progress.step(`generating ${int(INVENTORY_DEVICES)} devices over the catalogue's rules…`);
      await db.query('TRUNCATE devices');
      const started = process.hrtime.bigint();
      await generateDevices((sql, parameters) => db.query(sql, parameters), INVENTORY_DEVICES);
      generatorSeconds = round(Number(process.hrtime.bigint() - started) / 1e9, 1);
      await db.query(`INSERT INTO admin_tokens (name, role, token_hash) VALUES ('bench inventory', 'viewer', $1)`, [hashToken(token)]);
    } finally {
      await db.end();
    }
    const get = timedGet(environment, token);
    const deepCursor = await cursorAfter(get, '/api/v1/devices/compliance?limit=100', 50);
    const targets = {
      listPage: '/api/v1/devices?limit=100',
      summary: '/api/v1/devices/summary',
      summaryFiltered: '/api/v1/devices/summary?brand=Polycom',
      compliancePage: '/api/v1/devices/compliance?limit=100',
      complianceDeepPage: `/api/v1/devices/compliance?limit=100&cursor=${deepCursor}`,
    };
    const runs: Record<keyof typeof targets, number[]> = { listPage: [], summary: [], summaryFiltered: [], compliancePage: [], complianceDeepPage: [] };
    for (const path of Object.values(targets)) for (let i = 0; i < WARM_UP; i++) await get(path);
    for (let run = 1; run <= options.runs; run++) {
      // The targets take turns within a run, so a busy moment of the machine falls on all of them.
      for (const [name, path] of Object.entries(targets) as [keyof typeof targets, string][]) {
        const times: number[] = [];
        for (let i = 0; i < REQUESTS_PER_RUN; i++) times.push(await get(path));
        runs[name].push(seriesOf(times).median);
      }
      progress.step(`run ${run}/${options.runs}: summary ${int(runs.summary.at(-1)!)} ms, compliance page ${int(runs.compliancePage.at(-1)!)} ms`);
    }
    const { medians: firstPaint, parts: firstPaintParts } = await inventoryPageLoads(environment, token, options.runs);
    progress.step(
      `Inventory page: totals shown after ${firstPaint.map(int).join(', ')} ms (session answered at ${int(firstPaintParts.sessionAnswered)} ms, ` +
        `summary asked at ${int(firstPaintParts.summaryAsked)} ms and answered at ${int(firstPaintParts.summaryAnswered)} ms)`,
    );
    return {
      benchmark: 'inventory',
      settings: { devices: INVENTORY_DEVICES, runs: options.runs, requestsPerRun: REQUESTS_PER_RUN },
      generatorSeconds,
      listPage: seriesOf(runs.listPage),
      summary: seriesOf(runs.summary),
      summaryFiltered: seriesOf(runs.summaryFiltered),
      compliancePage: seriesOf(runs.compliancePage),
      complianceDeepPage: seriesOf(runs.complianceDeepPage),
      firstPaint: seriesOf(firstPaint),
      firstPaintParts,
      goals: GOALS,
    };
  },
  rows(figures) {
    const against = (series: Series, goal: number, figure: string): TableRow => ({
      figure,
      value: msSpread(series),
      baseline: `device list page ${msSpread(figures.listPage)}`,
      ratio: (series.median / figures.listPage.median).toFixed(1),
      goal: `≤ ${goal} ms`,
      met: series.median <= goal,
    });
    const devices = int(figures.settings.devices);
    return [
      against(figures.summary, figures.goals.summaryMs, `inventory summary, ${devices} devices (ms) [${figures.summary.runs.length} runs]`),
      against(figures.summaryFiltered, figures.goals.summaryMs, '  the same, one brand'),
      against(figures.compliancePage, figures.goals.compliancePageMs, '  compliance page of 100, the first'),
      against(figures.complianceDeepPage, figures.goals.compliancePageMs, '  compliance page of 100, 50 pages in'),
      {
        ...plainRow('  Inventory page in Chromium: totals shown (ms)', msSpread(figures.firstPaint)),
        goal: `≤ ${figures.goals.firstPaintMs} ms`,
        met: figures.firstPaint.median <= figures.goals.firstPaintMs,
      },
      ...(figures.firstPaintParts
        ? [
            plainRow(
              '    session answered / summary asked / summary answered (ms from navigation)',
              [figures.firstPaintParts.sessionAnswered, figures.firstPaintParts.summaryAsked, figures.firstPaintParts.summaryAnswered].map(int).join(' / '),
            ),
          ]
        : []),
      plainRow('  update checks: writes to keep the counts current', '0 (counted when read; a written row gets its inventory_group from a trigger)'),
      plainRow(`  generator: ${devices} devices (s)`, String(figures.generatorSeconds)),
    ];
  },
};

const msSpread = (series: Series): string =>
  series.runs.length > 1 ? `${int(series.median)} (${int(series.min)}–${int(series.max)})` : int(series.median);

type TimedGet = (path: string) => Promise<number>;

/** A GET of the node's admin API with the token: the milliseconds to the whole answer; throws on anything but 200. */
function timedGet(environment: BenchEnvironment, token: string): TimedGet & { json: (path: string) => Promise<unknown> } {
  const fetchOk = async (path: string) => {
    const response = await fetch(`${environment.nodeUrl}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${body.slice(0, 300)}`);
    return body;
  };
  const get = async (path: string) => {
    const started = process.hrtime.bigint();
    await fetchOk(path);
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  return Object.assign(get, { json: async (path: string) => JSON.parse(await fetchOk(path)) as unknown });
}

/** The cursor after `pages` pages of a list, so a page deep in it can be timed. */
async function cursorAfter(get: ReturnType<typeof timedGet>, path: string, pages: number): Promise<string> {
  let cursor: string | null = null;
  for (let page = 0; page < pages; page++) {
    const answer = (await get.json(`${path}${cursor ? `&cursor=${cursor}` : ''}`)) as { nextCursor: string | null };
    if (!answer.nextCursor) throw new Error(`${path} has fewer than ${pages} pages: the generated inventory is not what the benchmark expects`);
    cursor = answer.nextCursor;
  }
  return cursor!;
}

/**
 * The Inventory page in Debian's headless Chromium (as the browser tests drive it): signed in once,
 * then per run WARM_UP + REQUESTS_PER_RUN fresh loads of `/cp/#/inventory`, each timed from the
 * navigation's start to the totals on screen; a run's figure is the median of its timed loads.
 */
async function inventoryPageLoads(
  environment: BenchEnvironment,
  token: string,
  runs: number,
): Promise<{ medians: number[]; parts: NonNullable<InventoryFigures['firstPaintParts']> }> {
  const browser = await chromium.launch({ executablePath: process.env.UCU_TEST_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: environment.nodeUrl });
    const page = await context.newPage();
    await page.goto('/cp/');
    await page.getByLabel('Admin API token').fill(token);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    const medians: number[] = [];
    const parts = { sessionAnswered: [] as number[], summaryAsked: [] as number[], summaryAnswered: [] as number[] };
    for (let run = 0; run < runs; run++) {
      const times: number[] = [];
      for (let i = 0; i < WARM_UP + REQUESTS_PER_RUN; i++) {
        await page.goto('about:blank');
        const started = process.hrtime.bigint();
        await page.goto('/cp/#/inventory');
        await page.locator('.totals').waitFor();
        if (i < WARM_UP) continue;
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
        const timing = await page.evaluate(() =>
          // Runs in the page: the browser's Resource Timing entries (the benchmark's types are Node's).
          (performance.getEntriesByType('resource') as unknown as { name: string; startTime: number; responseEnd: number }[]).map((entry) => ({
            path: new URL(entry.name).pathname,
            startTime: entry.startTime,
            responseEnd: entry.responseEnd,
          })),
        );
        const session = timing.find((entry) => entry.path === '/api/v1/session');
        const summary = timing.find((entry) => entry.path === '/api/v1/devices/summary');
        if (session && summary) {
          parts.sessionAnswered.push(session.responseEnd);
          parts.summaryAsked.push(summary.startTime);
          parts.summaryAnswered.push(summary.responseEnd);
        }
      }
      medians.push(seriesOf(times).median);
    }
    const shown = await page.locator('.totals').textContent();
    if (!shown?.includes(int(INVENTORY_DEVICES))) throw new Error(`the Inventory page shows "${shown}", not the ${int(INVENTORY_DEVICES)} devices`);
    const median = (values: number[]) => (values.length > 0 ? seriesOf(values).median : Number.NaN);
    return {
      medians,
      parts: { sessionAnswered: median(parts.sessionAnswered), summaryAsked: median(parts.summaryAsked), summaryAnswered: median(parts.summaryAnswered) },
    };
  } finally {
    await browser.close();
  }
}
