import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import type { ChangeKind } from '../libs/redis/src/create-redis';
import { BENCH, type BenchEnvironment } from './support/bench-environment';
import type { Benchmark } from './support/benchmark';
import { request } from './support/http-client';
import { runLoad } from './support/load-generator';
import { round, seriesOf } from './support/series';
import { plainRow, ratioSpread, spread } from './support/table';
import { alternateRuns, figuresOf, type LoadSettings, startBareFastify, type TargetFigures } from './support/versus-baseline';
import { UPDATE_CHECK_GOAL } from './update-check.bench';

/** The update check's goal (issue 15), for the poll too: it does the same kind of work (a decision, an audit row). */
export const DDI_POLL_GOAL = UPDATE_CHECK_GOAL;
const CONNECTIONS = 100;
/** DDI devices registered with a target token each: half of a kind with an approved version, half of one without. */
const DEVICES = 4_000;
const VERIFIED_POLLS = 200;
const TENANT = 'DEFAULT';
const OFFERED = { brand: 'Contoso', model: 'Gateway-1', revision: '1.0', locale: 'Neutral', updateType: 'os', version: '2.0.0' };
const NOT_OFFERED_MODEL = 'Gateway-9';

export interface DdiPollFigures {
  benchmark: 'ddi-poll';
  settings: LoadSettings & { connections: number; pipelining: 1; devices: number };
  node: TargetFigures;
  baseline: TargetFigures & { server: string };
  ratio: number;
  goal: { minRatio: number; met: boolean };
  verification: {
    pollsVerified: number;
    offered: number;
    notOffered: number;
    /** One device's deploymentBase: its artifact's SHA-1 is the stored one. */
    deploymentChecked: boolean;
    /** DdiPoll audit rows in Postgres after the runs, against the 200s the node gave. */
    auditRows: number;
    nodeAnswers200: number;
    /** Open actions: one per offered device, however often it polled. */
    openActions: number;
  };
}

interface Device {
  controllerId: string;
  token: string;
  offered: boolean;
}

/**
 * DDI polls per second of one frontend node (docs/ddi.md: the target token looked up by its hash,
 * the device's rule and action decided, an action created on a device's first poll, the audit row
 * journaled before the answer), against bare Fastify answering the node's poll answer as a
 * constant. 4,000 devices with their own target tokens, half offered a deployment (a link to its
 * action), half of a kind with nothing approved, over 100 connections without pipelining; runs
 * alternate so both see the same machine. Seeded into the node's database as registrations and an
 * approval would leave it.
 */
export async function runDdiPollBenchmark(environment: BenchEnvironment, settings: LoadSettings): Promise<DdiPollFigures> {
  const { progress } = environment;
  progress.step(`registering ${DEVICES.toLocaleString('en')} DDI devices with target tokens and approving a .swu for half of them…`);
  const { devices, sha1 } = await seedDdi();
  await announceRules();
  const pollPath = (device: Device) => `/${TENANT}/controller/v1/${device.controllerId}`;
  const headersOf = (device: Device) => ({ Authorization: `TargetToken ${device.token}`, Accept: 'application/hal+json' });

  progress.step(`checking ${VERIFIED_POLLS} polls of the node…`);
  let offered = 0;
  let offerAnswer: string | null = null;
  let deploymentChecked = false;
  for (const device of devices.slice(0, VERIFIED_POLLS)) {
    const answer = await request(`${environment.nodeUrl}${pollPath(device)}`, { headers: headersOf(device) });
    const text = answer.body.toString('utf8');
    if (answer.status !== 200) throw new Error(`the node answered a DDI poll ${answer.status}: ${text.slice(0, 300)}`);
    const links = (JSON.parse(text) as { _links: { deploymentBase?: { href: string } } })._links;
    if (Boolean(links.deploymentBase) !== device.offered) throw new Error(`the node answered ${text} to ${device.controllerId} (offered: ${device.offered})`);
    if (!links.deploymentBase) continue;
    offered += 1;
    offerAnswer ??= text;
    if (!deploymentChecked) {
      const deployment = await request(links.deploymentBase.href, { headers: headersOf(device) });
      const body = deployment.body.toString('utf8');
      if (deployment.status !== 200 || !body.includes(`"sha1":"${sha1}"`)) throw new Error(`deploymentBase answered ${deployment.status}: ${body.slice(0, 300)}`);
      deploymentChecked = true;
    }
  }
  if (offerAnswer === null) throw new Error(`none of ${VERIFIED_POLLS} polls linked a deployment`);

  // The baseline answers what the node answers to a device offered a deployment.
  const baseline = await startBareFastify(environment, { ddiPoll: offerAnswer });
  try {
    const targets = {
      node: { url: environment.nodeUrl, pid: environment.nodePid },
      baseline: { url: `http://${BENCH.host}:${BENCH.ports.baseline}`, pid: baseline.pid! },
    };
    // Each request is the next device's poll, with its own token; the node walks the devices in
    // order from run to run (the baseline has a walk of its own), so it sees each in turn.
    const next = { node: 0, baseline: 0 };
    const walk = (target: keyof typeof next) => () => {
      const device = devices[next[target]++ % devices.length];
      return { path: pollPath(device), headers: headersOf(device) };
    };
    const measured = await alternateRuns('DDI poll', settings, progress, environment.logDir, (target, label, seconds) =>
      runLoad(
        { label: `DDI polls · ${label}`, url: targets[target].url, method: 'GET', nextRequest: walk(target), connections: CONNECTIONS, durationSeconds: seconds, serverPid: targets[target].pid },
        progress,
      ),
    );
    const nodeAnswers200 = VERIFIED_POLLS + measured.nodeAnswers200;

    // Rows are shipped from the node's journal within about a second of the answer.
    let counts = await ddiCounts();
    for (const deadline = Date.now() + 10_000; counts.auditRows < nodeAnswers200 && Date.now() < deadline; counts = await ddiCounts()) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (counts.auditRows < nodeAnswers200) throw new Error(`the node answered ${nodeAnswers200} DDI polls 200 but wrote only ${counts.auditRows} audit rows`);
    // One open action per offered device the node was asked about, however often (all of them once its
    // walk went round); the last requests of a run, up to one per connection, may or may not have been sent.
    const offeredUpTo = (end: number) => devices.slice(0, Math.max(0, Math.min(devices.length, end))).filter((device) => device.offered).length;
    const least = offeredUpTo(Math.max(VERIFIED_POLLS, next.node - CONNECTIONS));
    const most = offeredUpTo(Math.max(VERIFIED_POLLS, next.node));
    if (counts.openActions < least || counts.openActions > most) throw new Error(`${counts.openActions} open actions for ${least}–${most} offered devices polled`);
    const node = figuresOf(measured.node);
    const bare = figuresOf(measured.baseline);
    const ratio = node.requestsPerSecond.median / bare.requestsPerSecond.median;
    return {
      benchmark: 'ddi-poll',
      settings: { runs: settings.runs, warmupSeconds: settings.warmupSeconds, durationSeconds: settings.durationSeconds, connections: CONNECTIONS, pipelining: 1, devices: DEVICES },
      node,
      baseline: { ...bare, server: `bare Fastify ${(require('fastify/package.json') as { version: string }).version}, one GET route, constant answer` },
      ratio: round(ratio, 3),
      goal: { minRatio: DDI_POLL_GOAL, met: ratio >= DDI_POLL_GOAL },
      verification: { pollsVerified: VERIFIED_POLLS, offered, notOffered: VERIFIED_POLLS - offered, deploymentChecked, ...counts, nodeAnswers200 },
    };
  } finally {
    await baseline.stop();
  }
}

/**
 * The DDI side of the catalogue, as the admin API and an approval leave it: a rule of device type
 * DDI with an approved version whose image is a `.swu` (its SHA-1 and MD5 beside the SHA-256; the
 * poll reads no bytes of it), and the devices with the SHA-256 of their target tokens.
 */
async function seedDdi(): Promise<{ devices: Device[]; sha1: string }> {
  const image = randomBytes(64 * 1024);
  const digest = (algorithm: string) => createHash(algorithm).update(image).digest('hex');
  const devices: Device[] = Array.from({ length: DEVICES }, (_, index) => ({
    controllerId: `bench-gw-${String(index).padStart(5, '0')}`,
    token: randomBytes(32).toString('base64url'),
    offered: index % 2 === 0,
  }));
  const db = new Client({ connectionString: BENCH.databaseUrl });
  await db.connect();
  try {
    await db.query('BEGIN');
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO rules (device_type, brand, model, revision, locale, update_type) VALUES ('DDI', $1, $2, $3, $4, $5) RETURNING id`,
      [OFFERED.brand, OFFERED.model, OFFERED.revision, OFFERED.locale, OFFERED.updateType],
    );
    const ruleId = rows[0].id;
    const version = await db.query<{ id: string }>('INSERT INTO update_versions (rule_id, version) VALUES ($1, $2) RETURNING id', [ruleId, OFFERED.version]);
    await db.query('INSERT INTO files (sha256, size, sha1, md5) VALUES ($1, $2, $3, $4)', [digest('sha256'), image.length, digest('sha1'), digest('md5')]);
    await db.query(`INSERT INTO update_version_files (update_version_id, name, role, sha256) VALUES ($1, $2, 'image', $3)`, [
      version.rows[0].id,
      `gateway-${OFFERED.version}.swu`,
      digest('sha256'),
    ]);
    await db.query('UPDATE rules SET approved_version = $2, approved_at = now() WHERE id = $1', [ruleId, OFFERED.version]);
    await db.query(
      `INSERT INTO ddi_targets (controller_id, attributes, token_hash, token_issued_at, registered_by)
       SELECT c, a::jsonb, h, now(), 'bench' FROM unnest($1::text[], $2::text[], $3::text[]) AS t(c, a, h)`,
      [
        devices.map((device) => device.controllerId),
        devices.map((device) =>
          JSON.stringify({ vendor: OFFERED.brand, model: device.offered ? OFFERED.model : NOT_OFFERED_MODEL, hwRevision: OFFERED.revision }),
        ),
        devices.map((device) => createHash('sha256').update(device.token, 'utf8').digest('hex')),
      ],
    );
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK');
    throw error;
  } finally {
    await db.end();
  }
  return { devices, sha1: digest('sha1') };
}

/**
 * Tells the node the rules changed and waits until it serves the new state, as libs/redis'
 * announceChange and the node's pool state do after an approval (its keys spelt here: the bench's
 * loader does not resolve the apps' path aliases that module imports).
 */
async function announceRules(): Promise<void> {
  const redis = new Redis(BENCH.redisUrl);
  const kind: ChangeKind = 'rules';
  try {
    const version = await redis.incr('ucupdates:pool-state:version');
    await redis.publish('ucupdates:changes', kind);
    for (const deadline = Date.now() + 30_000; ; await new Promise((resolve) => setTimeout(resolve, 100))) {
      const applied = Number(await redis.hget('ucupdates:pool-state:applied', BENCH.nodeId));
      if (applied >= version) return;
      if (Date.now() > deadline) throw new Error(`the node did not load the DDI rule within 30 s (applied ${applied}, announced ${version})`);
    }
  } finally {
    redis.disconnect();
  }
}

async function ddiCounts(): Promise<{ auditRows: number; openActions: number }> {
  const db = new Client({ connectionString: BENCH.databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ audit: string; actions: string }>(
      `SELECT (SELECT count(*) FROM request_audit WHERE operation = 'DdiPoll') AS audit, (SELECT count(*) FROM ddi_actions WHERE status = 'open') AS actions`,
    );
    return { auditRows: Number(rows[0].audit), openActions: Number(rows[0].actions) };
  } finally {
    await db.end();
  }
}

/** `ddi` in the registry (bench/registry.ts): one node's DDI polls against bare Fastify. */
export const ddiPollBenchmark: Benchmark<'node', DdiPollFigures> = {
  name: 'ddi',
  about: 'DDI polls/s of one node (target tokens) against a bare Fastify route',
  environment: 'node',
  run: runDdiPollBenchmark,
  rows(poll) {
    const { node, baseline } = poll;
    const ratios = seriesOf(node.runs.map((run, i) => run.requestsPerSecond / baseline.runs[i].requestsPerSecond));
    return [
      {
        figure: `DDI polls/s, one node (${poll.settings.connections} connections) [${node.runs.length} runs]`,
        value: spread(node.requestsPerSecond),
        baseline: `bare Fastify ${spread(baseline.requestsPerSecond)}`,
        ratio: ratioSpread(ratios),
        goal: `≥ ${DDI_POLL_GOAL}`,
        met: ratios.median >= DDI_POLL_GOAL,
      },
      plainRow('  latency p50 / p99 (ms)', `${node.latencyMs.p50} / ${node.latencyMs.p99}`, `${baseline.latencyMs.p50} / ${baseline.latencyMs.p99}`),
      {
        ...plainRow('  server CPU per poll (µs)', String(node.cpuMicrosecondsPerRequest), String(baseline.cpuMicrosecondsPerRequest)),
        ratio: (baseline.cpuMicrosecondsPerRequest / node.cpuMicrosecondsPerRequest).toFixed(2),
      },
      plainRow('  Postgres CPU per poll (µs)', String(node.postgresCpuMicrosecondsPerRequest)),
    ];
  },
};
