import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUEUE_PREFIX, replicaQueueName } from '@ucupdates/jobs';
import { createRedis } from '@ucupdates/redis';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JobRunner } from '../../apps/worker/src/jobs/job-runner';
import { PrivateRedis } from '../support/private-redis';
import { suiteResources } from '../support/test-environment';
import { waitFor } from '../support/waiting';

const suite = suiteResources(__filename);

/**
 * A Redis of this suite's own (on its block of ports, AOF on so queued jobs survive), restarted while jobs
 * wait: the worker must finish them without being restarted itself. (BullMQ 6.7 with ioredis 5.9
 * resumes by itself here: no watchdog over the run loop was needed; the job that was running
 * when Redis went away loses its lock and runs again, which handlers are written to allow.)
 */

describe('workers across a Redis restart', () => {
  let dir: string;
  let redis: PrivateRedis;
  const connections: Redis[] = [];
  const connect = (name: string): Redis => {
    const connection = createRedis(redis.url(), name);
    connection.on('error', () => undefined); // refused connections while Redis is away
    connections.push(connection);
    return connection;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ucupdates-redis-'));
    redis = new PrivateRedis(dir, suite.port(190));
    await redis.start();
  });

  afterAll(async () => {
    connections.forEach((connection) => connection.disconnect());
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finishes the jobs queued before and during the outage, with the same runner', async () => {
    const name = replicaQueueName('restart-node');
    const queue = new Queue(name, { connection: connect('producer'), prefix: QUEUE_PREFIX });
    queue.on('error', () => undefined);
    const done = new Set<string>();
    const runner = new JobRunner({
      prefix: QUEUE_PREFIX,
      concurrency: 1,
      shutdownTimeoutMs: 2_000,
      connect: () => connect('worker'),
      lockDurationMs: 2_000,
    });
    let openGate: () => void = () => {};
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    runner.start([
      {
        name,
        handlers: {
          work: async (job) => {
            await gate; // jobs pile up in the queue until the restart is over
            done.add(job.id!);
          },
        },
      },
    ]);
    try {
      const queued = ['q-0', 'q-1', 'q-2', 'q-3', 'q-4'];
      for (const jobId of queued) {
        await queue.add('work', {}, { jobId });
      }
      await waitFor('a running job', 10_000, async () => (await queue.getActiveCount()) === 1, 50);

      await redis.stop();
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // Redis stays away a while
      await redis.start();
      openGate();

      // The queued jobs survived (AOF) and are finished, and so are jobs added after the restart;
      // the runner was not touched.
      const added = ['after-0', 'after-1', 'after-2'];
      for (const jobId of added) {
        await queue.add('work', {}, { jobId });
      }
      await waitFor('every job done', 30_000, () => [...queued, ...added].every((jobId) => done.has(jobId)), 50);
      await waitFor('an empty queue', 10_000, async () => (await queue.getJobCountByTypes('waiting', 'active', 'delayed')) === 0, 50);
    } finally {
      await runner.close();
      await queue.close();
    }
  }, 60_000);
});

