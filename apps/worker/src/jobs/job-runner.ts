import { Logger } from '@nestjs/common';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';

export type JobHandler = (job: Job) => Promise<unknown>;

export interface RunnerQueue {
  /** BullMQ's name of the queue (with its hash tag). */
  name: string;
  /** One handler per job name the queue carries. */
  handlers: Record<string, JobHandler>;
}

export interface RunnerSettings {
  prefix: string;
  concurrency: number;
  /** How long close() lets running jobs finish before it releases them to other workers. */
  shutdownTimeoutMs: number;
  /** A new connection per BullMQ worker: workers block on theirs. */
  connect: () => Redis;
  /**
   * How long a job's lock lasts without renewal, and how often workers look for jobs whose lock
   * lapsed: a job released by a stopped or dead worker is taken up again within about twice this.
   */
  lockDurationMs?: number;
}

/**
 * Runs BullMQ workers over handlers. A job whose name has no handler fails for good
 * (UnrecoverableError) rather than being retried forever. close() lets running jobs finish;
 * what is still running at the deadline is released: its lock lapses and BullMQ's stalled-job
 * check hands it to another worker, so nothing is lost and nothing is run half.
 */
export class JobRunner {
  private readonly logger = new Logger(JobRunner.name);
  private readonly workers: Worker[] = [];
  private readonly connections: Redis[] = [];

  constructor(private readonly settings: RunnerSettings) {}

  start(queues: RunnerQueue[]): void {
    for (const queue of queues) {
      const connection = this.settings.connect();
      this.connections.push(connection);
      const worker = new Worker(queue.name, (job) => this.run(queue, job), {
        connection,
        prefix: this.settings.prefix,
        concurrency: this.settings.concurrency,
        lockDuration: this.settings.lockDurationMs ?? 30_000,
        stalledInterval: this.settings.lockDurationMs ?? 30_000,
      });
      worker.on('failed', (job, error) =>
        this.logger.warn(`job ${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${error.message}`),
      );
      worker.on('error', (error) => this.logger.error(`queue ${queue.name}: ${error.message}`));
      this.workers.push(worker);
    }
  }

  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.settings.shutdownTimeoutMs);
    });
    // pause() stops taking jobs and resolves once the running ones finished. (close() cannot be
    // used for this: a second, forced close() returns the first one's promise, which waits.)
    const finished = Promise.all(this.workers.map((worker) => worker.pause())).then(() => 'finished' as const);
    if ((await Promise.race([finished, deadline])) === 'timeout') {
      this.logger.warn('jobs still running at the shutdown deadline: releasing them to other workers');
    }
    clearTimeout(timer);
    // Forced: stops renewing the locks of jobs still running, which releases them.
    await Promise.all(this.workers.map((worker) => worker.close(true)));
    await Promise.all(this.connections.map((connection) => connection.quit().catch(() => connection.disconnect())));
    this.workers.length = 0;
    this.connections.length = 0;
  }

  private async run(queue: RunnerQueue, job: Job): Promise<unknown> {
    const handler = queue.handlers[job.name];
    if (!handler) {
      throw new UnrecoverableError(`no handler for job ${job.name} on queue ${queue.name}`);
    }
    const started = Date.now();
    const result = await handler(job);
    this.logger.log(`job ${job.name} ${job.id} done in ${Date.now() - started} ms`);
    return result;
  }
}
