import { Logger } from '@nestjs/common';
import type { ReplicaFile, ReplicationScheduler } from '@ucupdates/replication';
import type { ReplicasRepository } from '@ucupdates/database';
import type { KeyedLock } from './keyed-lock';
import { planReconciliation } from './reconciliation-plan';
import type { ReplicaRows } from './replica-rows';
import type { ReplicaWriter } from './replica-writer';

export interface ReconciliationSummary {
  removed: number;
  verified: number;
  scheduled: number;
}

/**
 * Brings a node's replica store and its `replicas` rows in line with the catalogue (flow 2):
 * files no version uses are removed with their rows; files missing, of the wrong size or failing
 * their hash are (deleted and) fetched again, their rows `pending`; a good file whose row was not
 * `ready` becomes ready. Every used file without a ready row gets a job, which is how a new node
 * fills its store. Each file is handled under the node's per-file lock and looked at again there,
 * as the node's replication jobs run meanwhile.
 */
export class ReplicaReconciler {
  private readonly logger = new Logger(ReplicaReconciler.name);

  constructor(
    private readonly replicas: ReplicasRepository,
    private readonly writer: ReplicaWriter,
    private readonly rows: ReplicaRows,
    private readonly lock: KeyedLock,
    private readonly scheduler: ReplicationScheduler,
  ) {}

  async reconcile(): Promise<ReconciliationSummary> {
    const nodeId = this.rows.nodeId;
    const wanted = new Map(
      (await this.replicas.wantedFiles()).map((file) => [file.sha256, Number(file.size)]),
    );
    const plan = planReconciliation(await this.writer.list(), wanted, await this.rows.states());
    const summary: ReconciliationSummary = { removed: 0, verified: 0, scheduled: 0 };

    for (const sha256 of plan.remove) {
      await this.lock.run(sha256, async () => {
        if (await this.replicas.isUsed(sha256)) {
          return; // an import brought it back since the catalogue was read
        }
        // Row first: a `ready` row never names a file that is gone.
        await this.rows.remove([sha256]);
        await this.writer.remove(sha256);
        summary.removed++;
      });
    }
    if (plan.dropRows.length > 0) {
      await this.rows.removeUnused(plan.dropRows);
    }
    for (const file of plan.verify) {
      await this.lock.run(file.sha256, async () => {
        summary.verified++;
        if (await this.writer.holds(file.sha256, file.size)) {
          await this.rows.markReady(file.sha256);
        } else {
          await this.refetch(file);
          summary.scheduled++;
        }
      });
    }
    for (const file of plan.fetch) {
      await this.lock.run(file.sha256, async () => {
        const stored = await this.writer.statOf(file.sha256);
        if (stored?.size === file.size && (await this.rows.isReady(file.sha256))) {
          return; // a job placed it since the store was listed
        }
        await this.refetch(file);
        summary.scheduled++;
      });
    }
    this.logger.log(
      `replica store of node ${nodeId}: ${summary.removed} removed, ${summary.verified} hashed, ${summary.scheduled} queued`,
    );
    return summary;
  }

  /**
   * The row stops vouching first, then the wrong file goes (the frontend streams it from the
   * object store from then on), then a job fetches it. The caller holds the file's lock.
   */
  async refetch(file: ReplicaFile): Promise<void> {
    await this.rows.markPending(file.sha256);
    await this.writer.remove(file.sha256);
    await this.scheduler.scheduleRepairs(this.rows.nodeId, [file]);
  }
}
