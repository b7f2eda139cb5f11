import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { bullQueueName, JOBS, type JobName, type JobPayloads, PER_NODE_QUEUES, QUEUE_PREFIX, type QueueName } from './job-contracts';

/**
 * The producer side: adds jobs by name with their contract's options. On a connection that fails
 * fast (a frontend's: `commandTimeout`), adding fails as fast: BullMQ itself would wait for Redis
 * to come back. An add that timed out may still land later; job ids make that harmless.
 */
export class JobQueues {
  /** By BullMQ's queue name: a per-node queue has one per node. */
  private readonly queues = new Map<string, Queue>();
  private readonly timeoutMs: number | undefined;

  constructor(private readonly connection: Redis) {
    this.timeoutMs = connection.options.commandTimeout;
  }

  /** A pool queue, or with `nodeId` a per-node queue (PER_NODE_QUEUES) of that node. */
  queue(name: QueueName, nodeId?: string): Queue {
    const bullName = bullQueueName(name, nodeId);
    let queue = this.queues.get(bullName);
    if (!queue) {
      queue = new Queue(bullName, { connection: this.connection, prefix: QUEUE_PREFIX });
      this.queues.set(bullName, queue);
    }
    return queue;
  }

  /** `jobId` makes the job idempotent: adding the same id again while it exists adds nothing. */
  async add<N extends JobName>(name: N, payload: JobPayloads[N], jobId?: string): Promise<void> {
    const contract = JOBS[name];
    await this.bounded(this.queue(contract.queue).add(name, payload, { ...contract.options, jobId }));
  }

  /**
   * Adds a job of a per-node queue to that node's queue; `jobId` as in add(). With
   * `replaceFailed`, a failed job kept under the same id (it would make the add a no-op) is
   * removed first; a waiting, delayed or active one already does the work.
   */
  async addToNode<N extends JobName>(
    nodeId: string,
    name: N,
    payload: JobPayloads[N],
    jobId?: string,
    { replaceFailed = false } = {},
  ): Promise<void> {
    const contract = JOBS[name];
    const queue = this.queue(contract.queue, nodeId);
    await this.bounded(
      (async () => {
        if (replaceFailed && jobId !== undefined) {
          const existing = await queue.getJob(jobId);
          if (existing && (await existing.isFailed())) await existing.remove();
        }
        await queue.add(name, payload, { ...contract.options, jobId });
      })(),
    );
  }

  /**
   * A node left the pool: each of its per-node queues goes from Redis with every job in it,
   * running ones too (`force`: the node is gone, or a forced removal stops waiting for it).
   * Answers how many jobs went.
   */
  async dropNodeQueues(nodeId: string): Promise<number> {
    let dropped = 0;
    for (const name of PER_NODE_QUEUES) {
      const bullName = bullQueueName(name, nodeId);
      const queue = this.queue(name, nodeId);
      const counts = await this.bounded(queue.getJobCounts());
      dropped += Object.values(counts).reduce((sum, count) => sum + count, 0);
      await this.bounded(queue.obliterate({ force: true }));
      this.queues.delete(bullName);
      await queue.close();
    }
    return dropped;
  }

  /**
   * The nodes that have a per-node queue in Redis, by its keys (`ucu:{replica-<node>}:…`), so the
   * pool can drop the queues of nodes it no longer has (a removal that could not reach Redis).
   */
  async nodesWithQueues(): Promise<string[]> {
    const nodes = new Set<string>();
    for (const name of PER_NODE_QUEUES) {
      const prefix = `${QUEUE_PREFIX}:{${name}-`; // bullQueueName's form: `ucu:{replica-<node>}:<key>`
      let cursor = '0';
      do {
        const [next, keys] = await this.bounded(this.connection.scan(cursor, 'MATCH', `${prefix}*}:*`, 'COUNT', 1000));
        cursor = next;
        for (const key of keys) nodes.add(key.slice(prefix.length, key.indexOf('}:', prefix.length)));
      } while (cursor !== '0');
    }
    return [...nodes].sort();
  }

  private bounded<T>(work: Promise<T>): Promise<T> {
    const timeoutMs = this.timeoutMs;
    if (timeoutMs === undefined) return work;
    if (this.connection.status !== 'ready') {
      work.catch(() => undefined);
      return Promise.reject(new Error(`Connection is closed: Redis is away (${this.connection.status}), the job was not taken`));
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Command timed out: Redis did not take the job within ${timeoutMs} ms`)), timeoutMs);
    });
    work.catch(() => undefined); // settles later, unobserved, when the timeout won
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  /**
   * Registers every periodic job. Schedulers are keyed by job name, so every worker of the pool
   * may call this at start-up and the pool still runs each job once per period.
   */
  async schedulePeriodicJobs(): Promise<void> {
    for (const [name, contract] of Object.entries(JOBS) as [JobName, (typeof JOBS)[JobName]][]) {
      if (contract.everyMs) {
        await this.queue(contract.queue).upsertJobScheduler(
          name,
          { every: contract.everyMs },
          { name, data: {}, opts: contract.options },
        );
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.queues.clear();
  }
}
