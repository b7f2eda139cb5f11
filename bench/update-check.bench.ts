import { Client } from 'pg';
import { BENCH, type BenchEnvironment } from './support/bench-environment';
import { readCheckAnswer } from './support/check-answer';
import { request } from './support/http-client';
import { runLoad } from './support/load-generator';
import type { Benchmark } from './support/benchmark';
import { round, seriesOf } from './support/series';
import { plainRow, ratioSpread, spread } from './support/table';
import { alternateRuns, figuresOf, type LoadSettings, startBareFastify, type TargetFigures } from './support/versus-baseline';

/** Issue 15's target: one node's full path at least half of bare Fastify's answers/s. */
export const UPDATE_CHECK_GOAL = 0.5;
const CONNECTIONS = 100;
const CHECK_PATH = '/RequestHandler/ucdevice.upx';
/** Update checks sent one by one before the load, each answer checked against the catalogue. */
const VERIFIED_CHECKS = 300;

export interface UpdateCheckFigures {
  benchmark: 'update-check';
  settings: LoadSettings & { connections: number; pipelining: 1; deviceIdentities: number };
  node: TargetFigures;
  baseline: TargetFigures & { server: string };
  /** Median node checks/s over median baseline answers/s. */
  ratio: number;
  goal: { minRatio: number; met: boolean };
  /** The node's group commit over the measured runs (its /metrics): statements, rows per statement, time per statement. */
  auditWrites: { statements: number; meanRowsPerStatement: number; meanWriteMs: number };
  verification: {
    checksVerified: number;
    answeredWithFiles: number;
    answeredWithoutFiles: number;
    /** Audit rows and inventory entries in Postgres after the runs, against the 200s the node gave. */
    auditRows: number;
    inventoryEntries: number;
    nodeAnswers200: number;
  };
}

/**
 * Update checks per second of one frontend node, the full path (strict XML parse, offer decision,
 * audit row fsynced in the node's journal before the answer, shipped to Postgres with the
 * inventory upsert right after), against a bare Fastify route that
 * answers a constant of the same size. Both get the same requests from 20,000 device identities
 * over 100 connections, without pipelining; runs alternate so both see the same machine.
 */
export async function runUpdateCheckBenchmark(environment: BenchEnvironment, settings: LoadSettings): Promise<UpdateCheckFigures> {
  const { progress, catalog } = environment;
  const checkUrl = `${environment.nodeUrl}${CHECK_PATH}`;

  progress.step(`checking ${VERIFIED_CHECKS} update-check answers of the node against the catalogue…`);
  let withFiles = 0;
  let offerAnswer: string | null = null;
  for (const check of catalog.checks.slice(0, VERIFIED_CHECKS)) {
    const answer = await request(checkUrl, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: check.body });
    const xml = answer.body.toString('utf8');
    if (answer.status !== 200) throw new Error(`the node answered an update check ${answer.status}: ${xml.slice(0, 300)}`);
    const { numOfFiles } = readCheckAnswer(xml);
    if (numOfFiles !== check.expectedFiles) {
      throw new Error(`the node answered NumOfFiles ${numOfFiles} where the catalogue says ${check.expectedFiles}, to:\n${check.body}`);
    }
    if (numOfFiles > 0) {
      withFiles += 1;
      offerAnswer ??= xml;
    }
  }
  if (offerAnswer === null) throw new Error(`none of ${VERIFIED_CHECKS} update checks was offered a file`);

  // The baseline answers what the node answers to a device that is offered an update.
  const baseline = await startBareFastify(environment, { check: offerAnswer });
  try {
    const targets = {
      node: { url: checkUrl, pid: environment.nodePid },
      baseline: { url: `http://${BENCH.host}:${BENCH.ports.baseline}${CHECK_PATH}`, pid: baseline.pid! },
    };
    // Each run walks the device identities from where the last one stopped, so the inventory
    // upserts spread over many rows rather than a few hot ones.
    let next = 0;
    const nextBody = () => catalog.checks[next++ % catalog.checks.length].body;
    const batchesBefore = await auditBatches(environment.nodeUrl);
    const measured = await alternateRuns('update-check', settings, progress, environment.logDir, (target, label, seconds) =>
      runLoad(
        {
          label: `update checks · ${label}`,
          url: targets[target].url,
          method: 'POST',
          headers: { 'Content-Type': 'text/xml' },
          nextBody,
          connections: CONNECTIONS,
          durationSeconds: seconds,
          serverPid: targets[target].pid,
        },
        progress,
      ),
    );
    const nodeAnswers200 = VERIFIED_CHECKS + measured.nodeAnswers200;

    // Rows are shipped from the node's journal within about a second of the answer (docs/phones.md).
    let counts = await auditCounts();
    for (const deadline = Date.now() + 10_000; counts.auditRows < nodeAnswers200 && Date.now() < deadline; counts = await auditCounts()) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const batchesAfter = await auditBatches(environment.nodeUrl);
    const statements = batchesAfter.statements - batchesBefore.statements;
    if (counts.auditRows < nodeAnswers200) {
      throw new Error(`the node answered ${nodeAnswers200} update checks 200 but wrote only ${counts.auditRows} audit rows`);
    }
    const node = figuresOf(measured.node);
    const bare = figuresOf(measured.baseline);
    const ratio = node.requestsPerSecond.median / bare.requestsPerSecond.median;
    return {
      benchmark: 'update-check',
      settings: { runs: settings.runs, warmupSeconds: settings.warmupSeconds, durationSeconds: settings.durationSeconds, connections: CONNECTIONS, pipelining: 1, deviceIdentities: catalog.checks.length },
      node,
      baseline: { ...bare, server: `bare Fastify ${(require('fastify/package.json') as { version: string }).version}, one POST route, constant answer` },
      ratio: round(ratio, 3),
      goal: { minRatio: UPDATE_CHECK_GOAL, met: ratio >= UPDATE_CHECK_GOAL },
      auditWrites: {
        statements,
        meanRowsPerStatement: round((batchesAfter.rows - batchesBefore.rows) / statements, 1),
        meanWriteMs: round(((batchesAfter.seconds - batchesBefore.seconds) / statements) * 1000, 1),
      },
      verification: {
        checksVerified: VERIFIED_CHECKS,
        answeredWithFiles: withFiles,
        answeredWithoutFiles: VERIFIED_CHECKS - withFiles,
        ...counts,
        nodeAnswers200,
      },
    };
  } finally {
    await baseline.stop();
  }
}

/** Every 200 the node gave must have its audit row (journaled before the answer, shipped right after). */
export async function auditCounts(): Promise<{ auditRows: number; inventoryEntries: number }> {
  const db = new Client({ connectionString: BENCH.databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ audit: string; devices: string }>(
      'SELECT (SELECT count(*) FROM request_audit) AS audit, (SELECT count(*) FROM devices) AS devices',
    );
    return { auditRows: Number(rows[0].audit), inventoryEntries: Number(rows[0].devices) };
  } finally {
    await db.end();
  }
}

/** The node's shipments of audit rows to Postgres, from its /metrics. */
export async function auditBatches(nodeUrl: string): Promise<{ statements: number; rows: number; seconds: number }> {
  const answer = await request(`${nodeUrl}/metrics`);
  if (answer.status !== 200) throw new Error(`GET /metrics answered ${answer.status}`);
  const text = answer.body.toString('utf8');
  const value = (name: string) => {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
    if (!match) throw new Error(`the node's /metrics has no ${name}`);
    return Number(match[1]);
  };
  return {
    statements: value('ucupdates_request_audit_batch_rows_count'),
    rows: value('ucupdates_request_audit_batch_rows_sum'),
    seconds: value('ucupdates_request_audit_write_seconds_sum'),
  };
}

/** `check` in the registry (bench/registry.ts): one node's update checks against bare Fastify. */
export const updateCheckBenchmark: Benchmark<'node', UpdateCheckFigures> = {
  name: 'check',
  about: 'update checks/s of one node against a bare Fastify route',
  environment: 'node',
  run: runUpdateCheckBenchmark,
  rows(check) {
    const { node, baseline } = check;
    const ratios = seriesOf(node.runs.map((run, i) => run.requestsPerSecond / baseline.runs[i].requestsPerSecond));
    return [
      {
        figure: `update checks/s, one node (${check.settings.connections} connections) [${node.runs.length} runs]`,
        value: spread(node.requestsPerSecond),
        baseline: `bare Fastify ${spread(baseline.requestsPerSecond)}`,
        ratio: ratioSpread(ratios),
        goal: `≥ ${UPDATE_CHECK_GOAL}`,
        met: ratios.median >= UPDATE_CHECK_GOAL,
      },
      plainRow('  latency p50 / p99 (ms)', `${node.latencyMs.p50} / ${node.latencyMs.p99}`, `${baseline.latencyMs.p50} / ${baseline.latencyMs.p99}`),
      {
        ...plainRow('  server CPU per answer (µs)', String(node.cpuMicrosecondsPerRequest), String(baseline.cpuMicrosecondsPerRequest)),
        ratio: (baseline.cpuMicrosecondsPerRequest / node.cpuMicrosecondsPerRequest).toFixed(2),
        goal: '≤ 80',
        met: node.cpuMicrosecondsPerRequest <= 80,
      },
      { ...plainRow('  Postgres CPU per answer (µs)', String(node.postgresCpuMicrosecondsPerRequest)), goal: '≤ 30', met: node.postgresCpuMicrosecondsPerRequest <= 30 },
      plainRow('  audit rows per shipment / ms per shipment', `${check.auditWrites.meanRowsPerStatement} / ${check.auditWrites.meanWriteMs}`),
      plainRow('  load generator CPU per request (µs)', String(node.clientCpuMicrosecondsPerRequest), String(baseline.clientCpuMicrosecondsPerRequest)),
    ];
  },
};
