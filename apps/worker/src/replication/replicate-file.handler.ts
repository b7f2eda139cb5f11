import { Logger } from '@nestjs/common';
import type { JobName, JobPayloads } from '@ucupdates/jobs';
import type { ReplicasRepository } from '@ucupdates/database';
import { type Job, UnrecoverableError } from 'bullmq';
import type { KeyedLock } from './keyed-lock';
import type { ReplicaRows } from './replica-rows';
import { ObjectMissingError, type ReplicaWriter } from './replica-writer';

export type ReplicateOutcome = 'placed' | 'present' | 'unused';

/**
 * The replication job of one node (docs/architecture.md, flow 2): makes the node's replica store hold
 * the file whole and verified, then records the replica `ready` and marks the imports that are now
 * everywhere as replicated. A corrupt object is refused (and retried: the object store may be
 * repaired); a missing object fails for good. Safe to run twice: a file already held is hashed
 * and kept.
 */
export class ReplicateFileHandler {
  private readonly logger = new Logger(ReplicateFileHandler.name);

  constructor(
    private readonly replicas: ReplicasRepository,
    private readonly writer: ReplicaWriter,
    private readonly rows: ReplicaRows,
    private readonly lock: KeyedLock,
  ) {}

  async handle(job: Job<JobPayloads[JobName.ReplicateFile]>): Promise<{ outcome: ReplicateOutcome }> {
    const { sha256 } = job.data;
    const outcome = await this.lock.run(sha256, () => this.replicate(job));
    if (outcome !== 'unused') {
      const replicated = await this.replicas.markImportsReplicated({ sha256 });
      for (const importId of replicated) {
        this.logger.log(`import ${importId} is replicated on every active node`);
      }
    }
    return { outcome };
  }

  private async replicate(job: Job<JobPayloads[JobName.ReplicateFile]>): Promise<ReplicateOutcome> {
    const { sha256 } = job.data;
    // The catalogue's size is the truth; a file purged since the job was queued needs nothing.
    const size = await this.replicas.fileSize(sha256);
    if (size === null) {
      return 'unused';
    }
    try {
      const outcome = await this.writer.place(sha256, size);
      await this.rows.markReady(sha256);
      return outcome;
    } catch (error) {
      const message = (error as Error).message;
      const missing = error instanceof ObjectMissingError;
      const final = missing || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await this.rows.recordFailure(sha256, message, final);
      if (missing) {
        throw new UnrecoverableError(message);
      }
      throw error;
    }
  }
}
