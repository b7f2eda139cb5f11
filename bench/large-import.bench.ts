import { randomFillSync } from 'node:crypto';
import { closeSync, createReadStream, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { Client as MinioClient } from 'minio';
import { writePackage } from '../test/support/package-builder';
import { request } from './support/http-client';
import type { PoolEnvironment } from './support/pool-environment';
import { MemorySampler, residentBytes } from './support/process-sampler';
import type { Benchmark } from './support/benchmark';
import { round } from './support/series';
import { int } from './support/table';

/** Issue 16: a 2 GiB package imports with each process's resident memory growing by at most this. */
export const MEMORY_GOAL_BYTES = 128 * 1024 * 1024;
const MIB = 1024 * 1024;
/** Room left under the package's content for its catalog and description (UCU_MAX_PACKAGE_UNCOMPRESSED_BYTES counts them). */
const DESCRIPTION_ROOM = MIB;
const SAMPLE_MS = 100;
const TIMEOUT_MS = 20 * 60_000;

export interface LargeImportSettings {
  /** The package's content (image, catalog and description together), MiB. */
  contentMebibytes: number;
}

export interface ProcessMemory {
  name: string;
  /** Resident memory when the upload started, and its highest sample until every replica was ready. */
  beforeBytes: number;
  peakBytes: number;
  growthBytes: number;
}

export interface LargeImportFigures {
  benchmark: 'large-import';
  settings: LargeImportSettings;
  packageBytes: number;
  imageBytes: number;
  /** Upload start to 202, to the import `succeeded`, to the image `ready` on every node. */
  seconds: { upload: number; imported: number; replicated: number };
  frontends: ProcessMemory[];
  workers: ProcessMemory[];
  /** The largest growth of a frontend and of a worker: the one that took the upload or the import. */
  frontendGrowthBytes: number;
  workerGrowthBytes: number;
  goal: { maxGrowthBytes: number; met: boolean };
}

/**
 * A package of 2 GiB (its content; the cabinet a little more) imported through the pool as an
 * operator would: streamed to the internal listener through HAProxy, imported by a worker,
 * replicated to every node. The resident memory (VmRSS) of every node's frontend and worker is
 * sampled every 100 ms from before the upload until the image is ready on every node; each
 * process's growth is its peak less its reading at the start (docs/performance.md).
 */
export async function runLargeImportBenchmark(environment: PoolEnvironment, settings: LargeImportSettings): Promise<LargeImportFigures> {
  const { progress, pool, db, nodeIds } = environment;
  const dir = join(environment.workDir, 'large-package');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const imageBytes = settings.contentMebibytes * MIB - DESCRIPTION_ROOM;
  const imageFile = join(dir, 'image.bin');
  const s3 = environment.s3;
  const endpoint = new URL(s3.S3_ENDPOINT);
  const minio = new MinioClient({
    endPoint: endpoint.hostname,
    port: Number(endpoint.port),
    useSSL: false,
    accessKey: s3.S3_ACCESS_KEY,
    secretKey: s3.S3_SECRET_KEY,
    region: s3.S3_REGION,
    pathStyle: true,
  });
  let sha256: string | null = null;
  let packageKey: string | null = null;
  try {
    progress.step(`writing a ${int(imageBytes / MIB)} MiB image of random bytes, signing it (openssl cms) and packing it (gcab -z)…`);
    writeRandomFile(imageFile, imageBytes);
    const cab = writePackage(join(dir, 'package'), environment.pki, [{ folder: 'LARGE', updateType: 'LARGE', version: '1.0.0.1', image: { file: imageFile } }]);
    const packageBytes = statSync(cab).size;

    const processes = [
      ...pool.frontends.map((each, i) => ({ kind: 'frontend' as const, name: `${nodeIds[i]} frontend`, pid: each.pid })),
      ...pool.workers.map((each, i) => ({ kind: 'worker' as const, name: `${nodeIds[i]} worker`, pid: each.pid })),
    ].map((each) => {
      if (!each.pid) throw new Error(`${each.name} is not running`);
      const before = residentBytes(each.pid);
      if (before === null) throw new Error(`${each.name} (pid ${each.pid}) is gone`);
      return { ...each, before, sampler: new MemorySampler(each.pid, SAMPLE_MS).start() };
    });

    progress.step(`uploading the ${int(packageBytes / MIB)} MiB package through HAProxy (POST /api/v1/updates), sampling every node's memory…`);
    const started = performance.now();
    let imported = 0;
    let replicated = 0;
    let upload = 0;
    try {
      const answer = await streamUpload(`${pool.internalUrl}/api/v1/updates`, cab, packageBytes, environment.adminToken);
      upload = (performance.now() - started) / 1000;
      if (answer.status !== 202) throw new Error(`the upload answered ${answer.status}: ${answer.body.slice(0, 500)}`);
      const { importId } = JSON.parse(answer.body) as { importId: string };
      progress.step(`uploaded in ${round(upload)} s; importing…`);
      const auth = { Authorization: `Bearer ${environment.adminToken}` };
      await until(`import ${importId} to succeed`, async () => {
        const view = JSON.parse((await request(`${pool.internalUrl}/api/v1/imports/${importId}`, { headers: auth })).body.toString()) as {
          status: string;
        };
        if (view.status === 'failed') throw new Error(`the import failed: ${JSON.stringify(view)}`);
        return view.status === 'succeeded' ? true : null;
      });
      imported = (performance.now() - started) / 1000;
      const [row] = (
        await db.query<{ sha256: string; object_key: string }>(
          `SELECT f.sha256, p.object_key FROM imports i JOIN packages p ON p.sha256 = i.package_sha256, files f WHERE i.id = $1 AND f.size = $2`,
          [importId, imageBytes],
        )
      ).rows;
      if (!row) throw new Error(`no file of ${imageBytes} bytes after import ${importId}`);
      ({ sha256, object_key: packageKey } = row);
      progress.step(`imported after ${round(imported)} s; replicating to ${nodeIds.length} nodes…`);
      await until(`the image to be ready on every node`, async () => {
        const { rows } = await db.query<{ node_id: string; state: string }>(`SELECT node_id, state FROM replicas WHERE sha256 = $1`, [sha256]);
        const failed = rows.find((each) => each.state === 'failed');
        if (failed) throw new Error(`replication failed on ${failed.node_id}: see its worker's log`);
        return rows.filter((each) => each.state === 'ready').length === nodeIds.length ? true : null;
      });
      replicated = (performance.now() - started) / 1000;
    } finally {
      for (const each of processes) each.sampler.stop();
    }
    const memory = (kind: 'frontend' | 'worker'): ProcessMemory[] =>
      processes
        .filter((each) => each.kind === kind)
        .map((each) => ({ name: each.name, beforeBytes: each.before, peakBytes: each.sampler.peakBytes, growthBytes: Math.max(0, each.sampler.peakBytes - each.before) }));
    const frontends = memory('frontend');
    const workers = memory('worker');
    const frontendGrowthBytes = Math.max(...frontends.map((each) => each.growthBytes));
    const workerGrowthBytes = Math.max(...workers.map((each) => each.growthBytes));
    progress.step(
      `replicated after ${round(replicated)} s; resident memory growth: ` +
        [...frontends, ...workers].map((each) => `${each.name} ${int(each.growthBytes / MIB)} MiB`).join(', '),
    );
    return {
      benchmark: 'large-import',
      settings,
      packageBytes,
      imageBytes,
      seconds: { upload: round(upload), imported: round(imported), replicated: round(replicated) },
      frontends,
      workers,
      frontendGrowthBytes,
      workerGrowthBytes,
      goal: { maxGrowthBytes: MEMORY_GOAL_BYTES, met: frontendGrowthBytes <= MEMORY_GOAL_BYTES && workerGrowthBytes <= MEMORY_GOAL_BYTES },
    };
  } finally {
    // Gigabytes on disk: the package, every node's replica and the store's objects go now.
    rmSync(dir, { recursive: true, force: true });
    if (sha256) {
      for (let i = 0; i < nodeIds.length; i++) rmSync(join(pool.replicaDir(i), sha256.slice(0, 2), sha256), { force: true });
      await minio.removeObject(s3.S3_BUCKET, `files/${sha256}`).catch(() => undefined);
    }
    if (packageKey) await minio.removeObject(s3.S3_BUCKET, packageKey).catch(() => undefined);
  }
}

/** `large-import` in the registry: the memory a 2 GiB package costs the pool's processes. */
export const largeImportBenchmark: Benchmark<'pool', LargeImportFigures> = {
  name: 'large-import',
  about: 'a 2 GiB package imported through a pool of three: each frontend\'s and worker\'s resident memory growth',
  environment: 'pool',
  run: (environment, options) => runLargeImportBenchmark(environment, { contentMebibytes: options.largeMebibytes }),
  rows(figures) {
    const goal = `≤ ${int(figures.goal.maxGrowthBytes / MIB)} MiB`;
    const mib = (bytes: number) => `${int(bytes / MIB)} MiB`;
    const detail = (list: ProcessMemory[]) => list.map((each) => `${mib(each.beforeBytes)} → ${mib(each.peakBytes)}`).join(', ');
    const what = `a ${int(figures.packageBytes / MIB)} MiB package imported and replicated`;
    const row = (role: string, list: ProcessMemory[], growth: number) => ({
      figure: `${what}: resident memory growth of the ${role} (largest of ${list.length})`,
      value: mib(growth),
      baseline: detail(list),
      ratio: '',
      goal,
      met: growth <= figures.goal.maxGrowthBytes,
    });
    return [
      row('frontend that took it', figures.frontends, figures.frontendGrowthBytes),
      row('worker that imported it', figures.workers, figures.workerGrowthBytes),
      {
        figure: '  upload (202), imported, replicated to every node, s from the upload\'s start',
        value: `${figures.seconds.upload} / ${figures.seconds.imported} / ${figures.seconds.replicated}`,
        baseline: '',
        ratio: '',
        goal: '',
        met: null,
      },
    ];
  },
};

/** `bytes` of random data, written 4 MiB at a time (never held whole). */
function writeRandomFile(path: string, bytes: number): void {
  const block = Buffer.allocUnsafe(4 * MIB);
  const fd = openSync(path, 'wx');
  try {
    for (let written = 0; written < bytes; ) {
      const length = Math.min(block.length, bytes - written);
      randomFillSync(block, 0, length);
      written += writeSync(fd, block, 0, length);
    }
  } finally {
    closeSync(fd);
  }
}

/** A raw-body upload streamed from the file on a fresh connection; the answer's body as text. */
function streamUpload(url: string, file: string, bytes: number, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      url,
      {
        agent: false,
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/vnd.ms-cab-compressed', 'Content-Length': String(bytes) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    const body = createReadStream(file, { highWaterMark: MIB });
    body.on('error', (error) => outgoing.destroy(error));
    body.pipe(outgoing);
  });
}

async function until(what: string, probe: () => Promise<true | null>): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  while ((await probe()) === null) {
    if (Date.now() > deadline) throw new Error(`timed out after ${TIMEOUT_MS / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
