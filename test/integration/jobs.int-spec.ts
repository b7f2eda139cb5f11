import { randomBytes } from 'node:crypto';
import { RequestAuditRepository } from '@ucupdates/database';
import { JOBS, JobName, JobQueues, QUEUE_PREFIX, QueueName, bullQueueName } from '@ucupdates/jobs';
import { createRedis } from '@ucupdates/redis';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { removeExpiredRequestAudit } from '../../apps/worker/src/housekeeping/request-audit-retention.handler';
import { JobRunner } from '../../apps/worker/src/jobs/job-runner';
import { useDataSource } from '../support/harness';
import { suiteResources, testConfig } from '../support/test-environment';

const suite = suiteResources(__filename);

const redisUrl = suite.redisUrl;

describe('job runner on a real Redis', () => {
  const connections: Redis[] = [];
  const connect = (): Redis => {
    const connection = createRedis(redisUrl, 'jobs-test');
    connections.push(connection);
    return connection;
  };
  let queueName: string;
  let queue: Queue;
  let events: QueueEvents;

  beforeEach(async () => {
    queueName = `{test-${randomBytes(4).toString('hex')}}`;
    queue = new Queue(queueName, { connection: connect(), prefix: QUEUE_PREFIX });
    events = new QueueEvents(queueName, { connection: connect(), prefix: QUEUE_PREFIX });
    await events.waitUntilReady();
  });

  afterEach(async () => {
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
    await Promise.all(connections.splice(0).map((connection) => connection.quit().catch(() => undefined)));
  });

  const settings = (shutdownTimeoutMs: number) => ({
    prefix: QUEUE_PREFIX,
    concurrency: 1,
    shutdownTimeoutMs,
    connect,
    lockDurationMs: 1_000,
  });
  const runner = (handlers: Record<string, (job: Job) => Promise<unknown>>, shutdownTimeoutMs = 5_000): JobRunner => {
    const jobRunner = new JobRunner(settings(shutdownTimeoutMs));
    jobRunner.start([{ name: queueName, handlers }]);
    return jobRunner;
  };

  it('runs a job through its handler', async () => {
    const jobRunner = runner({ double: async (job) => (job.data as { n: number }).n * 2 });
    const job = await queue.add('double', { n: 21 });
    await expect(job.waitUntilFinished(events, 10_000)).resolves.toBe(42);
    await jobRunner.close();
  });

  it('fails a job without a handler for good, without retrying it', async () => {
    const jobRunner = runner({});
    const job = await queue.add('unknown', {}, { attempts: 5, backoff: { type: 'fixed', delay: 10 } });
    await expect(job.waitUntilFinished(events, 10_000)).rejects.toThrow('no handler for job unknown');
    const failed = await Job.fromId(queue, job.id!);
    expect(failed?.attemptsMade).toBe(1);
    await jobRunner.close();
  });

  it('lets a running job finish on close', async () => {
    let finished = false;
    let markStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    const jobRunner = runner({
      slow: async () => {
        markStarted();
        await new Promise((wait) => setTimeout(wait, 800));
        finished = true;
      },
    });
    await queue.add('slow', {});
    await started;
    await jobRunner.close();
    expect(finished).toBe(true);
    expect(await queue.getJobCounts('completed', 'active')).toEqual({ completed: 1, active: 0 });
  });

  it('releases a job still running at the deadline, and another worker completes it', async () => {
    let calls = 0;
    let releaseFirst: () => void = () => {};
    const firstStarted = new Promise<void>((resolve) => (releaseFirst = resolve));
    const first = runner(
      {
        work: async () => {
          calls++;
          if (calls === 1) {
            releaseFirst();
            await new Promise(() => {}); // hangs, like a worker stuck on a dead mount
          }
          return 'done';
        },
      },
      200,
    );
    const job = await queue.add('work', {});
    await firstStarted;
    await first.close();
    // The lock of the released job lapses; the stalled-job check of another worker takes it.
    const second = new JobRunner(settings(1_000));
    await queue.add('noop', {}); // wake the second worker
    second.start([
      {
        name: queueName,
        handlers: { work: async () => (++calls, 'done'), noop: async () => undefined },
      },
    ]);
    await expect(job.waitUntilFinished(events, 20_000)).resolves.toBe('done');
    expect(calls).toBe(2);
    await second.close();
  }, 30_000);

  it('schedules each periodic job once per pool, however many workers register it', async () => {
    const producers = [new JobQueues(connect()), new JobQueues(connect())];
    await Promise.all(producers.map((producer) => producer.schedulePeriodicJobs()));
    const housekeeping = producers[0].queue(QueueName.Housekeeping);
    const schedulers = await housekeeping.getJobSchedulers();
    expect(schedulers.map((scheduler) => scheduler.key).sort()).toEqual(
      (Object.keys(JOBS) as JobName[]).filter((name) => JOBS[name].everyMs).sort(),
    );
    expect(bullQueueName(QueueName.Housekeeping)).toBe('{housekeeping}');
    await housekeeping.obliterate({ force: true });
    await Promise.all(producers.map((producer) => producer.close()));
  });
});

describe('request audit retention on a real Postgres', () => {
  const database = useDataSource(__filename);
  let dataSource: DataSource;
  beforeAll(() => void ({ dataSource } = database));

  it('deletes the rows older than the retention period, and only those', async () => {
    await dataSource.query(
      `INSERT INTO request_audit (request_id, at, node_id, address, device_type, vendor, model, revision, locale,
                                  request_modules, response_modules, external, status)
       SELECT gen_random_uuid(), now() - make_interval(days => d) + interval '1 hour', 'n1', '127.0.0.1', 'UCPhone', 'Polycom', 'CX600',
              'A', 'ENU', '[]', '[]', false, 200
         FROM generate_series(0, 99) AS d`,
    );
    expect(await removeExpiredRequestAudit(new RequestAuditRepository(dataSource.manager, testConfig({ REDIS_URL: redisUrl })), 90)).toBe(9);
    const [{ oldest }] = await dataSource.query(`SELECT max(now() - at) AS oldest FROM request_audit`);
    expect(oldest.days).toBeLessThan(91);
    expect((await dataSource.query(`SELECT count(*)::int AS n FROM request_audit`))[0].n).toBe(91);
    expect(await removeExpiredRequestAudit(new RequestAuditRepository(dataSource.manager, testConfig({ REDIS_URL: redisUrl })), 90)).toBe(0);
  });
});
