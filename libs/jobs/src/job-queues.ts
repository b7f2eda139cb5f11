import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { bullQueueName, JOBS, type JobName, type JobPayloads, QUEUE_PREFIX, type QueueName } from './job-contracts';

/** The producer side: adds jobs by name with their contract's options. */
export class JobQueues {
  /** By BullMQ's queue name: a per-node queue has one per node. */
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly connection: Redis) {}

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
    await this.queue(contract.queue).add(name, payload, { ...contract.options, jobId });
  }

  /** Adds a job of a per-node queue to that node's queue; `jobId` as in add(). */
  async addToNode<N extends JobName>(nodeId: string, name: N, payload: JobPayloads[N], jobId?: string): Promise<void> {
    const contract = JOBS[name];
    await this.queue(contract.queue, nodeId).add(name, payload, { ...contract.options, jobId });
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
