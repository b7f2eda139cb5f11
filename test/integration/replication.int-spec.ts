import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { Config } from '@ucupdates/config';
import { createDataSource, PoolNodesRepository, ReplicasRepository, Repositories } from '@ucupdates/database';
import { JobName, JobQueues, QUEUE_PREFIX, QueueName, replicaQueueName } from '@ucupdates/jobs';
import { createRedis } from '@ucupdates/redis';
import { ReplicationScheduler } from '@ucupdates/replication';
import { MinioObjectStorage, type ObjectStorage, ReplicaStore } from '@ucupdates/storage';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { ImportPackageHandler } from '../../apps/worker/src/imports/import-package.handler';
import { SignaturePolicy } from '../../apps/worker/src/imports/signature-policy';
import { JobRunner } from '../../apps/worker/src/jobs/job-runner';
import { NodeReplication } from '../../apps/worker/src/replication/node-replication';
import { ReplicaVerificationError, ReplicaWriter } from '../../apps/worker/src/replication/replica-writer';
import { buildPackage } from '../support/package-builder';
import { createPoolPki, type PoolPki } from '../support/test-pki';
import { suiteResources, testConfig } from '../support/test-environment';
import { waitFor } from '../support/waiting';

const suite = suiteResources(__filename);

const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('replication on real Postgres, Redis and MinIO', () => {
  let config: Config;
  let dataSource: DataSource;
  let storage: MinioObjectStorage;
  let redis: Redis;
  let queues: JobQueues;
  let scheduler: ReplicationScheduler;
  let repositories: Repositories;
  let pki: PoolPki;
  let work: string;
  let packages = 0;
  /** Each node's replication, over its own replica directory. */
  const nodes = new Map<string, NodeReplication>();

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ucupdates-replication-'));
    pki = createPoolPki(join(work, 'pki'));
    config = testConfig({
      DATABASE_URL: await suite.recreateDatabase(),
      REDIS_URL: suite.redisUrl,
      UCU_TRUSTED_CA_FILE: pki.caFile,
      UCU_NODE_ID: 'node-1',
      // The nodes seeded below are active but never confirm an admin change: no waiting for them
      // (docs/decisions.md 46).
      UCU_CHANGE_CONFIRM_TIMEOUT_MS: '0',
    });
    dataSource = await createDataSource(config.DATABASE_URL).initialize();
    await dataSource.runMigrations();
    storage = new MinioObjectStorage({
      endpoint: config.S3_ENDPOINT,
      accessKey: config.S3_ACCESS_KEY,
      secretKey: config.S3_SECRET_KEY,
      bucket: config.S3_BUCKET,
      region: config.S3_REGION,
    });
    await storage.ensureBucket();
    redis = createRedis(config.REDIS_URL, 'replication-test');
    await redis.flushdb();
    queues = new JobQueues(redis);
    repositories = new Repositories(dataSource, config);
    scheduler = new ReplicationScheduler(repositories.get(ReplicasRepository), repositories.get(PoolNodesRepository), queues);
    // node-1 and node-2 are active; node-3 is registered but down (its frontend stopped).
    await dataSource.query(
      `INSERT INTO pool_nodes (id, url, app_version, frontend_heartbeat_at) VALUES
         ('node-1', 'http://n1', 't', now()), ('node-2', 'http://n2', 't', now()), ('node-3', 'http://n3', 't', NULL)`,
    );
    for (const nodeId of ['node-1', 'node-2', 'node-3']) {
      nodes.set(nodeId, replicationOf(nodeId));
    }
  });

  afterAll(async () => {
    await queues.close();
    await redis.flushdb();
    await redis.quit();
    await dataSource.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  function replicationOf(nodeId: string, objects: ObjectStorage = storage): NodeReplication {
    const dir = join(work, `replica-${nodeId}`);
    mkdirSync(dir, { recursive: true });
    return new NodeReplication({ ...config, UCU_NODE_ID: nodeId, UCU_REPLICA_DIR: dir }, repositories, objects, queues);
  }
  const node = (nodeId: string) => nodes.get(nodeId)!;
  const pathOn = (nodeId: string, sha: string) => node(nodeId).writer.store.pathOf(sha);

  /** A job as BullMQ hands it to the handler. */
  const fakeJob = (sha256: string, size: number, attemptsMade = 0) =>
    ({ data: { sha256, size }, attemptsMade, opts: { attempts: 10 } }) as unknown as Job<{ sha256: string; size: number }>;

  const replicaRow = async (nodeId: string, sha: string) =>
    (await dataSource.query(`SELECT state, attempts, last_error FROM replicas WHERE node_id = $1 AND sha256 = $2`, [nodeId, sha]))[0];

  /** Uploads and imports a package as the frontend and the worker would; returns the import id. */
  async function importPackage(images: Buffer[]): Promise<{ importId: string; files: { sha256: string; size: number }[] }> {
    const cab = buildPackage(
      join(work, `package-${++packages}`),
      pki,
      images.map((image, index) => ({ folder: `M${packages}x${index}`, updateType: `M${packages}x${index}`, version: '1.0.0', image })),
    );
    const sha = sha256Of(cab);
    await storage.put(`packages/${sha}`, Readable.from([cab]));
    await dataSource.query(`INSERT INTO packages (sha256, size, object_key) VALUES ($1, $2, $3)`, [sha, cab.length, `packages/${sha}`]);
    const [{ id }] = await dataSource.query(
      `INSERT INTO imports (package_sha256, file_name, uploaded_by, node_id) VALUES ($1, 'UCUpdates.cab', 'tester', 'node-1') RETURNING id`,
      [sha],
    );
    const handler = new ImportPackageHandler(config, repositories, storage, SignaturePolicy.fromConfig(config), redis, scheduler);
    const job = { data: { importId: id, sha256: sha }, attemptsMade: 0, opts: { attempts: 8 } } as unknown as Job<{
      importId: string;
      sha256: string;
    }>;
    expect(await handler.handle(job)).toEqual({ status: 'succeeded' });
    const files = await dataSource.query(
      `SELECT DISTINCT f.sha256, fl.size::int AS size FROM update_version_files f
         JOIN update_versions v ON v.id = f.update_version_id JOIN files fl ON fl.sha256 = f.sha256
        WHERE v.import_id = $1 ORDER BY f.sha256`,
      [id],
    );
    return { importId: id, files };
  }

  const replicatedAt = async (importId: string) =>
    (await dataSource.query(`SELECT replicated_at FROM imports WHERE id = $1`, [importId]))[0].replicated_at as Date | null;

  let first: { importId: string; files: { sha256: string; size: number }[] };
  const firstImage = randomBytes(300_000);

  it('fans an import out: one job per file in every registered node’s queue, and pending rows', async () => {
    first = await importPackage([firstImage]);
    expect(first.files).toHaveLength(2); // the image and its catalog
    for (const nodeId of ['node-1', 'node-2', 'node-3']) {
      const queue = queues.queue(QueueName.Replica, nodeId);
      expect(queue.name).toBe(replicaQueueName(nodeId));
      for (const file of first.files) {
        const job = await queue.getJob(file.sha256);
        expect(job?.name).toBe(JobName.ReplicateFile);
        expect(job?.data).toEqual(file);
        expect(await replicaRow(nodeId, file.sha256)).toMatchObject({ state: 'pending', attempts: 0 });
      }
    }
    expect(await replicatedAt(first.importId)).toBeNull();
  });

  it('writes a byte-identical file and marks it ready; the import is replicated once every active node has it', async () => {
    for (const file of first.files) {
      await expect(node('node-1').replicateFile(fakeJob(file.sha256, file.size))).resolves.toEqual({ outcome: 'placed' });
      expect(await replicaRow('node-1', file.sha256)).toMatchObject({ state: 'ready', last_error: null });
    }
    const image = first.files.find((file) => file.size === firstImage.length)!;
    expect(readFileSync(pathOn('node-1', image.sha256)).equals(firstImage)).toBe(true);
    expect(readdirSync(dirname(pathOn('node-1', image.sha256)))).toEqual([image.sha256]); // no temporary file left
    expect(await replicatedAt(first.importId)).toBeNull(); // node-2 lacks them

    // Run twice: a file already held is hashed and kept.
    await expect(node('node-1').replicateFile(fakeJob(image.sha256, image.size))).resolves.toEqual({ outcome: 'present' });

    for (const file of first.files) {
      await node('node-2').replicateFile(fakeJob(file.sha256, file.size));
    }
    // node-3 is down: it does not hold the import back.
    expect(await replicatedAt(first.importId)).toBeInstanceOf(Date);
  });

  it('refuses a corrupt object: nothing is placed, the row records the error, and it fails once attempts are exhausted', async () => {
    const right = randomBytes(40_000);
    const sha = sha256Of(right);
    await dataSource.query(`INSERT INTO files (sha256, size) VALUES ($1, $2)`, [sha, right.length]);
    const wrong = Buffer.from(right);
    wrong[1234] ^= 0xff;
    await storage.put(`files/${sha}`, Readable.from([wrong]));
    await scheduler.scheduleFiles('node-1', [{ sha256: sha, size: right.length }]);

    await expect(node('node-1').replicateFile(fakeJob(sha, right.length))).rejects.toThrow(ReplicaVerificationError);
    expect(existsSync(pathOn('node-1', sha))).toBe(false);
    expect(readdirSync(dirname(pathOn('node-1', sha))).filter((name) => name.includes(sha))).toEqual([]);
    expect(await replicaRow('node-1', sha)).toMatchObject({ state: 'pending', attempts: 1 });
    expect((await replicaRow('node-1', sha)).last_error).toMatch(/does not match/);

    await expect(node('node-1').replicateFile(fakeJob(sha, right.length, 9))).rejects.toThrow(ReplicaVerificationError);
    expect(await replicaRow('node-1', sha)).toMatchObject({ state: 'failed', attempts: 2 });

    // The object is repaired; queuing the file again resets the failed row and places it.
    await storage.put(`files/${sha}`, Readable.from([right]));
    await scheduler.scheduleFiles('node-1', [{ sha256: sha, size: right.length }]);
    expect(await replicaRow('node-1', sha)).toMatchObject({ state: 'pending', attempts: 0 });
    await node('node-1').replicateFile(fakeJob(sha, right.length));
    expect(readFileSync(pathOn('node-1', sha)).equals(right)).toBe(true);
    await dataSource.query(`DELETE FROM files WHERE sha256 = $1`, [sha]); // not used by any version
  });

  it('leaves only a temporary file when a write is killed, and start-up removes it', async () => {
    const bytes = randomBytes(100_000);
    const sha = sha256Of(bytes);
    await dataSource.query(`INSERT INTO files (sha256, size) VALUES ($1, $2)`, [sha, bytes.length]);
    // An object store that sends half the bytes, then hangs: the worker is killed mid-write.
    const hanging = new PassThrough();
    const stalling: ObjectStorage = Object.assign(Object.create(storage) as ObjectStorage, {
      stat: async () => ({ size: bytes.length, etag: '', lastModified: new Date(), metadata: {} }),
      get: async () => hanging,
    });
    const killed = replicationOf('node-2', stalling);
    const write = killed.replicateFile(fakeJob(sha, bytes.length));
    hanging.write(bytes.subarray(0, 50_000));
    const dir = dirname(pathOn('node-2', sha));
    await waitFor('a temporary copy', 20_000, () => existsSync(dir) && readdirSync(dir).some((name) => name.startsWith(`.tmp-${sha}-`)), 20);
    expect(existsSync(pathOn('node-2', sha))).toBe(false);

    // The next worker of the node starts: the temporary file goes before any job runs.
    await replicationOf('node-2').start();
    expect(readdirSync(dir).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
    expect(existsSync(pathOn('node-2', sha))).toBe(false);
    hanging.destroy(new Error('killed'));
    await expect(write).rejects.toThrow('killed');
    await dataSource.query(`DELETE FROM files WHERE sha256 = $1`, [sha]);
  });

  it('reconciles a store: a deleted file and a corrupted one are fetched again, an unused one removed', async () => {
    const second = await importPackage([randomBytes(120_000), randomBytes(80_000)]);
    const runner = new JobRunner({
      prefix: QUEUE_PREFIX,
      concurrency: 2,
      shutdownTimeoutMs: 5_000,
      connect: () => createRedis(config.REDIS_URL, 'replication-test-runner'),
    });
    runner.start([
      {
        name: replicaQueueName('node-1'),
        handlers: {
          [JobName.ReplicateFile]: (job) => node('node-1').replicateFile(job),
          [JobName.ReconcileReplicaStore]: () => node('node-1').reconcileStore(),
        },
      },
    ]);
    try {
      const all = [...first.files, ...second.files];
      await waitFor('every file ready on node-1', 20_000, async () => {
        const states = await Promise.all(all.map(async (file) => (await replicaRow('node-1', file.sha256))?.state));
        return states.every((state) => state === 'ready');
      }, 50);
      const [deleted, corrupted] = second.files;
      rmSync(pathOn('node-1', deleted.sha256));
      const garbled = readFileSync(pathOn('node-1', corrupted.sha256));
      garbled[10] ^= 0xff;
      writeFileSync(pathOn('node-1', corrupted.sha256), garbled); // same size, modified after it was ready
      const unused = randomBytes(1_000);
      mkdirSync(dirname(pathOn('node-1', sha256Of(unused))), { recursive: true });
      writeFileSync(pathOn('node-1', sha256Of(unused)), unused);

      const summary = await node('node-1').reconcileStore();
      // Removed: the unused file, and the one the corrupt-object test placed (its files row is gone).
      expect(summary).toMatchObject({ removed: 2, verified: 1, scheduled: 2 });
      expect(existsSync(pathOn('node-1', sha256Of(unused)))).toBe(false);
      expect(await replicaRow('node-1', sha256Of(unused))).toBeUndefined();
      await waitFor('every file ready on node-1', 20_000, async () => {
        const states = await Promise.all(all.map(async (file) => (await replicaRow('node-1', file.sha256))?.state));
        return states.every((state) => state === 'ready');
      }, 50);
      for (const file of all) {
        const bytes = readFileSync(pathOn('node-1', file.sha256));
        expect(sha256Of(bytes)).toBe(file.sha256);
      }
      // Reconciling a good store hashes nothing that was ready and unmodified, and queues nothing.
      expect(await node('node-1').reconcileStore()).toEqual({ removed: 0, verified: 0, scheduled: 0 });
    } finally {
      await runner.close();
    }
  }, 60_000);

  it('a new node queues every file it lacks when it starts', async () => {
    await dataSource.query(`INSERT INTO pool_nodes (id, url, app_version, frontend_heartbeat_at) VALUES ('node-4', 'http://n4', 't', now())`);
    const fresh = replicationOf('node-4');
    nodes.set('node-4', fresh);
    await fresh.start();
    const queue = queues.queue(QueueName.Replica, 'node-4');
    expect(await queue.getJob('reconcile')).toBeTruthy();
    const summary = await fresh.reconcileStore();
    const [{ used }] = await dataSource.query(`SELECT count(DISTINCT sha256)::int AS used FROM update_version_files`);
    expect(summary.scheduled).toBe(used);
    const rows = await dataSource.query(`SELECT state FROM replicas WHERE node_id = 'node-4'`);
    expect(rows).toHaveLength(used);
    expect(rows.every((row: { state: string }) => row.state === 'pending')).toBe(true);
    expect(await queue.getJobCountByTypes('waiting', 'prioritized', 'delayed')).toBe(used + 1);
  });

  it('a repair sets a ready row pending and queues the file again, after its earlier job completed', async () => {
    const file = first.files[0];
    expect(await replicaRow('node-1', file.sha256)).toMatchObject({ state: 'ready' });
    await scheduler.scheduleRepair('node-1', file.sha256, file.size);
    expect(await replicaRow('node-1', file.sha256)).toMatchObject({ state: 'pending' });
    expect((await queues.queue(QueueName.Replica, 'node-1').getJob(file.sha256))?.data).toEqual(file);
  });
});

