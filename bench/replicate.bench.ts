import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Redis } from 'ioredis';
import { Client as MinioClient } from 'minio';
import type { EntityManager } from 'typeorm';
import type { Config } from '../libs/config/src';
import type * as ReplicasModule from '../libs/database/src/repositories/replicas.repository';
import type * as PoolNodesModule from '../libs/database/src/repositories/pool-nodes.repository';
import type * as JobQueuesModule from '../libs/jobs/src/job-queues';
import type * as SchedulerModule from '../libs/replication/src/replication-scheduler';
import { buildPackage } from '../test/support/package-builder';
import { request } from './support/http-client';
import { type ObjectStoreKind, POOL_BENCH, type PoolEnvironment, STORE_NAMES } from './support/pool-environment';
import { cpuSeconds } from './support/process-sampler';
import { ROOT } from './support/bench-environment';
import type { Benchmark } from './support/benchmark';
import { round, type Series, seriesOf } from './support/series';
import { int, plainRow, spread } from './support/table';

export const REPLICATION_GOAL = 0.8;
/** The nodes together against as many plain downloads run in parallel (issue 16). */
export const POOL_REPLICATION_GOAL = 0.9;
const POLL_MS = 50;
const RUN_TIMEOUT_MS = 10 * 60_000;

export interface ReplicationSettings {
  runs: number;
  imageBytes: number;
  /** The S3 service the pool replicates from (support/pool-environment.ts). */
  store: ObjectStoreKind;
}

export interface NodeReplicationFigures {
  nodeId: string;
  /** From the node's job being queued (its `replicas` row made `pending`) to the row `ready`. */
  seconds: Series;
  megabytesPerSecond: Series;
  /** Median MB/s of this node over median MB/s of the plain download. */
  ratio: number;
  goalMet: boolean;
  /** The node's worker's CPU time per 10^9 bytes replicated, over the measured runs. */
  workerCpuSecondsPerGigabyte: number;
}

export interface ReplicationFigures {
  benchmark: 'replicate';
  settings: ReplicationSettings & { nodes: number };
  /** The package uploaded through the admin API and imported, as production does it (not a measured run). */
  importRun: {
    packageBytes: number;
    /** Upload start to the import `succeeded`. */
    uploadAndImportSeconds: number;
    /** Per node: from the import's commit (`finished_at`, when its files are queued) to the image's row `ready`. */
    replicationSeconds: Record<string, number>;
  };
  file: { sha256: string; bytes: number; objectKey: string };
  /** The same object, one stream from MinIO to a fsynced file beside the replica stores (the `minio` client). */
  plain: { seconds: Series; megabytesPerSecond: Series; clientCpuSecondsPerGigabyte: number };
  nodes: NodeReplicationFigures[];
  /** As many plain downloads as nodes at once, to the last one done: the pool's baseline. */
  parallelPlain: { downloads: number; seconds: Series; megabytesPerSecond: Series };
  /**
   * All three nodes together: from the first job queued to the last row ready, 3 × the bytes;
   * `ratio` against one plain download, `parallelRatio` against the three at once (goal ≥ 0.9).
   */
  pool: { secondsToLastReady: Series; megabytesPerSecond: Series; ratio: number; parallelRatio: number; goalMet: boolean };
  /**
   * The first node again, alone (the others idle), as it would be on a machine of its own: the
   * three nodes of this pool share two cores, one disk and one MinIO.
   */
  alone: { nodeId: string; seconds: Series; megabytesPerSecond: Series; ratio: number; goalMet: boolean; workerCpuSecondsPerGigabyte: number };
  /** MinIO's CPU time per 10^9 bytes it sent. */
  minioCpuSecondsPerGigabyte: { plain: number; replication: number };
  goal: { minRatio: number; met: boolean };
  runs: RunRecord[];
}

interface NodeRun {
  queuedAt: string;
  readyAt: string;
  seconds: number;
  workerCpuSeconds: number;
}

interface RunRecord {
  run: number;
  plainSeconds: number;
  /** As many plain downloads as nodes, started together, to the last one fsynced. */
  parallelPlainSeconds: number;
  nodes: Record<string, NodeRun>;
  alone: NodeRun;
  verified: boolean;
}

/**
 * Time to replicate a 200 MB update to the three nodes of a pool, against a plain download of the
 * same object from the same MinIO (bench/README.md). The update goes in as production puts it: a
 * signed package uploaded through the admin API and imported by a worker, whose replication is
 * recorded but not measured. Each measured run then deletes every node's replica (file and row)
 * and queues the file again with the workers' own ReplicationScheduler (from dist/, as it runs in
 * the pool), alternating with a plain download; every replica is verified by SHA-256 after.
 */
export async function runReplicationBenchmark(environment: PoolEnvironment, settings: ReplicationSettings): Promise<ReplicationFigures> {
  const { progress, db, pool, nodeIds } = environment;
  const { ReplicationScheduler } = require(join(ROOT, 'dist/apps/worker/libs/replication/src/replication-scheduler.js')) as typeof SchedulerModule;
  const { JobQueues } = require(join(ROOT, 'dist/apps/worker/libs/jobs/src/job-queues.js')) as typeof JobQueuesModule;
  const { ReplicasRepository } = require(join(ROOT, 'dist/apps/worker/libs/database/src/repositories/replicas.repository.js')) as typeof ReplicasModule;
  const { PoolNodesRepository } = require(join(ROOT, 'dist/apps/worker/libs/database/src/repositories/pool-nodes.repository.js')) as typeof PoolNodesModule;

  // 1. The update, as production gets it: a signed package through the admin API.
  progress.step(`building a signed package with a ${mb(settings.imageBytes)} MB image (openssl cms, gcab)…`);
  const image = randomBytes(settings.imageBytes);
  const sha256 = createHash('sha256').update(image).digest('hex');
  const packageDir = join(environment.workDir, 'package');
  const cab = buildPackage(packageDir, environment.pki, [{ folder: 'BENCH', updateType: 'BENCH', version: '1.0.0.1', image }]);
  rmSync(packageDir, { recursive: true, force: true });
  progress.step(`uploading the ${mb(cab.length)} MB package to the pool (POST /api/v1/updates) and waiting for its import…`);
  const auth = { Authorization: `Bearer ${environment.adminToken}` };
  const uploadStarted = performance.now();
  const uploaded = await request(`${pool.internalUrl}/api/v1/updates`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/vnd.ms-cab-compressed', 'Content-Length': String(cab.length) },
    body: cab,
  });
  if (uploaded.status !== 202) throw new Error(`the upload answered ${uploaded.status}: ${uploaded.body.toString().slice(0, 500)}`);
  const { importId } = JSON.parse(uploaded.body.toString()) as { importId: string };
  await until(`import ${importId} to succeed`, RUN_TIMEOUT_MS, 250, async () => {
    const view = JSON.parse((await request(`${pool.internalUrl}/api/v1/imports/${importId}`, { headers: auth })).body.toString()) as {
      status: string;
      error?: unknown;
    };
    if (view.status === 'failed') throw new Error(`the import failed: ${JSON.stringify(view)}`);
    return view.status === 'succeeded' ? true : null;
  });
  const uploadAndImportSeconds = (performance.now() - uploadStarted) / 1000;
  const importReady = await waitForReady(db, sha256, nodeIds);
  const [{ finished_ms: finishedMs }] = (
    await db.query<{ finished_ms: number }>(`SELECT extract(epoch FROM finished_at)::float8 * 1000 AS finished_ms FROM imports WHERE id = $1`, [importId])
  ).rows;
  const importRun = {
    packageBytes: cab.length,
    uploadAndImportSeconds: round(uploadAndImportSeconds),
    replicationSeconds: Object.fromEntries(nodeIds.map((id) => [id, round((importReady[id] - finishedMs) / 1000)])),
  };
  progress.step(
    `imported in ${importRun.uploadAndImportSeconds} s; replicated after the import in ` +
      nodeIds.map((id) => `${id} ${importRun.replicationSeconds[id]} s`).join(', '),
  );
  await verifyReplicas(environment, sha256, settings.imageBytes);

  // 2. The measured runs: plain download, then replication to every node, taking turns.
  const { S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET, S3_REGION } = environment.s3;
  const endpoint = new URL(S3_ENDPOINT);
  const minio = new MinioClient({
    endPoint: endpoint.hostname,
    port: Number(endpoint.port),
    useSSL: false,
    accessKey: S3_ACCESS_KEY,
    secretKey: S3_SECRET_KEY,
    region: S3_REGION,
    pathStyle: true,
  });
  const objectKey = `files/${sha256}`;
  const redis = new Redis(POOL_BENCH.redisUrl, { maxRetriesPerRequest: null });
  const queues = new JobQueues(redis);
  // The scheduler's statements on the bench's own client, through the repositories it is made with.
  const manager = { query: async (sql: string, parameters?: unknown[]) => (await db.query(sql, parameters)).rows } as unknown as EntityManager;
  const repositorySettings = { UCU_NODE_DOWN_AFTER_MS: 30_000 } as Config;
  const scheduler = new ReplicationScheduler(new ReplicasRepository(manager, repositorySettings), new PoolNodesRepository(manager, repositorySettings), queues);
  const workerPids = pool.workers.map((worker) => {
    if (!worker.pid || !worker.running) throw new Error(`${worker.name} is not running`);
    return worker.pid;
  });
  const minioPid = environment.objectStore.pid!;

  /**
   * Fresh replica stores for `targets` (file and row gone), the file queued for each with the
   * scheduler, the rows polled until ready, each replica verified by SHA-256.
   */
  const replicate = async (targets: string[], onProgress: (ready: string[]) => void): Promise<Record<string, NodeRun>> => {
    const indexes = targets.map((nodeId) => nodeIds.indexOf(nodeId));
    for (const index of indexes) rmSync(join(pool.replicaDir(index), sha256.slice(0, 2), sha256), { force: true });
    await db.query(`DELETE FROM replicas WHERE sha256 = $1 AND node_id = ANY($2::text[])`, [sha256, targets]);
    const workerCpuBefore = indexes.map((index) => cpuSeconds(workerPids[index]));
    for (const nodeId of targets) {
      await scheduler.scheduleFiles(nodeId, [{ sha256, size: settings.imageBytes }]);
    }
    const queuedAt: Record<string, number> = {};
    for (const row of (await replicaRows(db, sha256)).values()) {
      if (row.state === 'pending') queuedAt[row.nodeId] = row.pendingSince;
    }
    const readyAt = await waitForReady(db, sha256, targets, onProgress);
    const workerCpu = indexes.map((index, i) => cpuSeconds(workerPids[index]) - workerCpuBefore[i]);
    await verifyReplicas(environment, sha256, settings.imageBytes, indexes);
    return Object.fromEntries(
      targets.map((nodeId, i) => {
        if (queuedAt[nodeId] === undefined) throw new Error(`${nodeId}'s row was not seen pending after its job was queued`);
        return [
          nodeId,
          {
            queuedAt: new Date(queuedAt[nodeId]).toISOString(),
            readyAt: new Date(readyAt[nodeId]).toISOString(),
            seconds: round((readyAt[nodeId] - queuedAt[nodeId]) / 1000, 3),
            workerCpuSeconds: round(workerCpu[i], 2),
          },
        ];
      }),
    );
  };

  /**
   * `count` plain downloads of the object at once, each the minio client's stream into a file of
   * its own beside the replica stores, fsynced and checked by SHA-256 after the clock stopped;
   * answers the seconds to the last one fsynced.
   */
  const plainDownloads = async (run: number, count: number): Promise<number> => {
    const files = Array.from({ length: count }, (_, i) => join(environment.workDir, 'plain', sha256.slice(0, 2), `${sha256}-${run}-${count}-${i}`));
    mkdirSync(join(files[0], '..'), { recursive: true });
    const started = performance.now();
    await Promise.all(
      files.map(async (file) => {
        await pipeline(await minio.getObject(S3_BUCKET, objectKey), createWriteStream(file, { flags: 'wx' }));
        await fsync(file);
      }),
    );
    await fsync(join(files[0], '..'));
    const seconds = (performance.now() - started) / 1000;
    for (const file of files) {
      if (statSync(file).size !== settings.imageBytes || (await sha256Of(file)) !== sha256) {
        throw new Error(`a plain download of ${objectKey} does not match the catalogue`);
      }
      rmSync(file);
    }
    return seconds;
  };

  const runs: RunRecord[] = [];
  const plainCpu = { client: 0, minio: 0 };
  const replicationMinioCpu = { seconds: 0 };
  try {
    for (let run = 1; run <= settings.runs; run++) {
      // Plain download: the minio client's stream into a file beside the replica stores, fsynced.
      const clientCpuBefore = process.cpuUsage();
      const minioCpuBefore = cpuSeconds(minioPid);
      const plainSeconds = await plainDownloads(run, 1);
      const clientCpu = process.cpuUsage(clientCpuBefore);
      plainCpu.client += (clientCpu.user + clientCpu.system) / 1e6;
      plainCpu.minio += cpuSeconds(minioPid) - minioCpuBefore;
      progress.step(`run ${run}/${settings.runs}: plain download ${round(plainSeconds)} s (${int(settings.imageBytes / 1e6 / plainSeconds)} MB/s)`);
      // The pool's baseline: as many plain downloads as nodes, at once, to the last one done.
      const parallelSeconds = await plainDownloads(run, nodeIds.length);
      progress.step(
        `run ${run}/${settings.runs}: ${nodeIds.length} plain downloads at once ${round(parallelSeconds)} s ` +
          `(${int((nodeIds.length * settings.imageBytes) / 1e6 / parallelSeconds)} MB/s together)`,
      );

      // Replication to every node, then to the first one alone.
      const minioBefore = cpuSeconds(minioPid);
      const nodes = await replicate(nodeIds, (ready) =>
        progress.update(`run ${run}/${settings.runs}: replicating… ready on ${ready.length}/${nodeIds.length}`),
      );
      replicationMinioCpu.seconds += cpuSeconds(minioPid) - minioBefore;
      progress.step(
        `run ${run}/${settings.runs}: replicated, verified by SHA-256: ` +
          nodeIds.map((id) => `${id} ${nodes[id].seconds} s (${int(settings.imageBytes / 1e6 / nodes[id].seconds)} MB/s)`).join(', '),
      );
      const alone = (await replicate([nodeIds[0]], () => undefined))[nodeIds[0]];
      progress.step(`run ${run}/${settings.runs}: ${nodeIds[0]} alone ${alone.seconds} s (${int(settings.imageBytes / 1e6 / alone.seconds)} MB/s)`);
      runs.push({ run, plainSeconds: round(plainSeconds, 3), parallelPlainSeconds: round(parallelSeconds, 3), nodes, alone, verified: true });
    }
  } finally {
    await queues.close().catch(() => undefined);
    redis.disconnect();
  }

  const megabytes = settings.imageBytes / 1e6;
  const gigabytes = (settings.imageBytes / 1e9) * settings.runs;
  const plainSeconds = seriesOf(runs.map((run) => run.plainSeconds));
  const plainRate = seriesOf(runs.map((run) => megabytes / run.plainSeconds));
  const nodes = nodeIds.map((nodeId): NodeReplicationFigures => {
    const seconds = seriesOf(runs.map((run) => run.nodes[nodeId].seconds));
    const rate = seriesOf(runs.map((run) => megabytes / run.nodes[nodeId].seconds));
    const ratio = round(rate.median / plainRate.median);
    return {
      nodeId,
      seconds: roundSeries(seconds, 3),
      megabytesPerSecond: roundSeries(rate, 1),
      ratio,
      goalMet: ratio >= REPLICATION_GOAL,
      workerCpuSecondsPerGigabyte: round(runs.reduce((sum, run) => sum + run.nodes[nodeId].workerCpuSeconds, 0) / gigabytes),
    };
  });
  const toLast = runs.map((run) => {
    const spans = Object.values(run.nodes);
    return (Math.max(...spans.map((node) => Date.parse(node.readyAt))) - Math.min(...spans.map((node) => Date.parse(node.queuedAt)))) / 1000;
  });
  const poolRate = seriesOf(toLast.map((seconds) => (megabytes * nodeIds.length) / seconds));
  const parallelRate = seriesOf(runs.map((run) => (megabytes * nodeIds.length) / run.parallelPlainSeconds));
  const parallelRatio = round(poolRate.median / parallelRate.median);
  const aloneRate = seriesOf(runs.map((run) => megabytes / run.alone.seconds));
  const aloneRatio = round(aloneRate.median / plainRate.median);
  return {
    benchmark: 'replicate',
    settings: { ...settings, nodes: nodeIds.length },
    importRun,
    file: { sha256, bytes: settings.imageBytes, objectKey },
    plain: {
      seconds: roundSeries(plainSeconds, 3),
      megabytesPerSecond: roundSeries(plainRate, 1),
      clientCpuSecondsPerGigabyte: round(plainCpu.client / gigabytes),
    },
    nodes,
    parallelPlain: {
      downloads: nodeIds.length,
      seconds: roundSeries(seriesOf(runs.map((run) => run.parallelPlainSeconds)), 3),
      megabytesPerSecond: roundSeries(parallelRate, 1),
    },
    pool: {
      secondsToLastReady: roundSeries(seriesOf(toLast), 3),
      megabytesPerSecond: roundSeries(poolRate, 1),
      ratio: round(poolRate.median / plainRate.median),
      parallelRatio,
      goalMet: parallelRatio >= POOL_REPLICATION_GOAL,
    },
    alone: {
      nodeId: nodeIds[0],
      seconds: roundSeries(seriesOf(runs.map((run) => run.alone.seconds)), 3),
      megabytesPerSecond: roundSeries(aloneRate, 1),
      ratio: aloneRatio,
      goalMet: aloneRatio >= REPLICATION_GOAL,
      workerCpuSecondsPerGigabyte: round(runs.reduce((sum, run) => sum + run.alone.workerCpuSeconds, 0) / gigabytes),
    },
    minioCpuSecondsPerGigabyte: {
      plain: round(plainCpu.minio / gigabytes),
      replication: round(replicationMinioCpu.seconds / (gigabytes * nodeIds.length)),
    },
    goal: { minRatio: REPLICATION_GOAL, met: nodes.every((node) => node.goalMet) },
    runs,
  };
}

/** `replicate` in the registry (bench/registry.ts): replication to the pool's nodes against a plain download. */
export const replicationBenchmark: Benchmark<'pool', ReplicationFigures> = {
  name: 'replicate',
  about: 'an image replicated to a pool of three nodes against a plain download of it from the S3 service',
  environment: 'pool',
  run: (environment, options) => runReplicationBenchmark(environment, { runs: options.runs, imageBytes: options.imageMegabytes * 1_000_000, store: options.store }),
  rows(figures) {
    const { plain, nodes, pool, alone, importRun, parallelPlain } = figures;
    const store = STORE_NAMES[figures.settings.store];
    const slowest = nodes.reduce((a, b) => (a.ratio <= b.ratio ? a : b));
    return [
      {
        figure: `replication of a ${mb(figures.file.bytes)} MB image to ${nodes.length} nodes at once, slowest node, MB/s [${figures.settings.runs} runs]`,
        value: `${slowest.nodeId} ${spread(slowest.megabytesPerSecond)}`,
        baseline: `plain ${store} download ${spread(plain.megabytesPerSecond)}`,
        ratio: slowest.ratio.toFixed(2),
        goal: `≥ ${REPLICATION_GOAL}`,
        met: figures.goal.met,
      },
      ...nodes.map((node) => ({ ...plainRow(`  ${node.nodeId}, MB/s; s min / median / max`, `${spread(node.megabytesPerSecond)}; ${triple(node.seconds)}`), ratio: node.ratio.toFixed(2) })),
      plainRow('  plain download, s min / median / max', '', triple(plain.seconds)),
      { ...plainRow(`  all ${nodes.length} nodes together (${nodes.length} × the bytes, to the last ready), MB/s`, spread(pool.megabytesPerSecond)), ratio: pool.ratio.toFixed(2) },
      ...(parallelPlain
        ? [
            {
              figure: `all ${nodes.length} nodes together against ${parallelPlain.downloads} plain downloads at once, MB/s (${parallelPlain.downloads} × the bytes, to the last done)`,
              value: spread(pool.megabytesPerSecond),
              baseline: `${parallelPlain.downloads} plain ${store} downloads ${spread(parallelPlain.megabytesPerSecond)}`,
              ratio: pool.parallelRatio.toFixed(2),
              goal: `≥ ${POOL_REPLICATION_GOAL}`,
              met: pool.goalMet,
            },
          ]
        : []),
      {
        figure: `  ${alone.nodeId} alone, MB/s; s min / median / max`,
        value: `${spread(alone.megabytesPerSecond)}; ${triple(alone.seconds)}`,
        baseline: '',
        ratio: alone.ratio.toFixed(2),
        goal: `≥ ${REPLICATION_GOAL}`,
        met: alone.goalMet,
      },
      plainRow(
        '  worker CPU s per GB (each node; alone), client\'s',
        `${nodes.map((node) => node.workerCpuSecondsPerGigabyte).join(' / ')}; ${alone.workerCpuSecondsPerGigabyte}`,
        String(plain.clientCpuSecondsPerGigabyte),
      ),
      plainRow(`  ${store} CPU s per GB sent`, String(figures.minioCpuSecondsPerGigabyte.replication), String(figures.minioCpuSecondsPerGigabyte.plain)),
      plainRow(`  import of the ${mb(importRun.packageBytes)} MB package (upload to succeeded, s)`, String(importRun.uploadAndImportSeconds)),
      plainRow('  then its replication to each node, s (not a measured run)', Object.values(importRun.replicationSeconds).join(' / ')),
    ];
  },
  resultsName: (options) => (options.store === 'minio' ? 'replicate' : `replicate-${options.store}`),
};

interface ReplicaRow {
  nodeId: string;
  state: string;
  /** updated_at in ms since the epoch: when the row became `pending` (queued) or `ready`. */
  pendingSince: number;
}

async function replicaRows(db: PoolEnvironment['db'], sha256: string): Promise<Map<string, ReplicaRow>> {
  const { rows } = await db.query<{ node_id: string; state: string; updated_ms: number }>(
    `SELECT node_id, state, extract(epoch FROM updated_at)::float8 * 1000 AS updated_ms FROM replicas WHERE sha256 = $1`,
    [sha256],
  );
  for (const row of rows) {
    if (row.state === 'failed') throw new Error(`replication failed on ${row.node_id}: see its worker's log`);
  }
  return new Map(rows.map((row) => [row.node_id, { nodeId: row.node_id, state: row.state, pendingSince: row.updated_ms }]));
}

/** Polls the `replicas` rows every 50 ms until every node's is `ready`; returns each one's `updated_at` (ms). */
async function waitForReady(
  db: PoolEnvironment['db'],
  sha256: string,
  nodeIds: string[],
  onProgress: (ready: string[]) => void = () => undefined,
): Promise<Record<string, number>> {
  return until(`${sha256.slice(0, 12)}… to be ready on every node`, RUN_TIMEOUT_MS, POLL_MS, async () => {
    const rows = await replicaRows(db, sha256);
    const ready = nodeIds.filter((id) => rows.get(id)?.state === 'ready');
    onProgress(ready);
    return ready.length === nodeIds.length ? Object.fromEntries(nodeIds.map((id) => [id, rows.get(id)!.pendingSince])) : null;
  });
}

/** Every node's replica file, hashed whole. */
async function verifyReplicas(
  environment: PoolEnvironment,
  sha256: string,
  bytes: number,
  indexes = environment.nodeIds.map((_, index) => index),
): Promise<void> {
  for (const index of indexes) {
    const file = join(environment.pool.replicaDir(index), sha256.slice(0, 2), sha256);
    if (!existsSync(file) || statSync(file).size !== bytes || (await sha256Of(file)) !== sha256) {
      throw new Error(`${environment.nodeIds[index]}'s replica ${file} is missing or wrong`);
    }
  }
}

async function until<T>(what: string, timeoutMs: number, everyMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== null) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function fsync(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function roundSeries(series: Series, digits: number): Series {
  return { runs: series.runs.map((value) => round(value, digits)), min: round(series.min, digits), median: round(series.median, digits), max: round(series.max, digits) };
}

function mb(bytes: number): string {
  return int(bytes / 1e6);
}

function triple(series: Series): string {
  return `${series.min} / ${series.median} / ${series.max}`;
}
