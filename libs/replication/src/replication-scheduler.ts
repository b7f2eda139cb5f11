import { Logger } from '@nestjs/common';
import { JobName, type JobQueues } from '@ucupdates/jobs';
import type { PoolNodesRepository, ReplicaFile, ReplicasRepository } from '@ucupdates/database';

export type { ReplicaFile } from '@ucupdates/database';

/**
 * The producer side of replication (docs/architecture.md, flows 2 and 5), used by workers (after an
 * import, by reconciliation) and frontends (a download that found its replica missing). Each
 * file goes to each node's own queue with job id = its SHA-256, and its `replicas` row is made
 * `pending`; only the node's worker turns a row `ready`, once the file is whole and verified.
 */
export class ReplicationScheduler {
  private readonly logger = new Logger(ReplicationScheduler.name);

  constructor(
    private readonly replicas: ReplicasRepository,
    private readonly nodes: PoolNodesRepository,
    private readonly queues: JobQueues,
  ) {}

  /**
   * After an import committed: every file of its versions to every registered node, active or
   * not (a node that is down finds its jobs waiting when it comes back). Returns the jobs added.
   */
  async scheduleImport(importId: string): Promise<number> {
    const files = await this.replicas.filesOfImport(importId);
    const nodes = await this.registeredNodes();
    for (const nodeId of nodes) {
      await this.scheduleFiles(nodeId, files);
    }
    // Every file may be ready everywhere already (the same files imported before).
    await this.replicas.markImportsReplicated({ importId });
    this.logger.log(`import ${importId}: ${files.length} file(s) queued for ${nodes.length} node(s)`);
    return files.length * nodes.length;
  }

  /**
   * Queues files for a node. A `ready` row stays ready (the job re-checks the file and keeps it);
   * a `failed` one becomes `pending` again with its attempts reset, as a new job now runs.
   */
  async scheduleFiles(nodeId: string, files: ReplicaFile[]): Promise<void> {
    await this.replicas.upsertPending(nodeId, files.map((file) => file.sha256), 'failed');
    await this.enqueue(nodeId, files);
  }

  /**
   * The node's replica store lacks the file, or holds it wrong, whatever its row says: the row
   * becomes `pending` and the file is fetched again. Frontends call this when they had to stream a
   * file from the object store; reconciliation when it found a file missing or corrupt.
   */
  async scheduleRepair(nodeId: string, sha256: string, size: number): Promise<void> {
    await this.scheduleRepairs(nodeId, [{ sha256, size }]);
  }

  async scheduleRepairs(nodeId: string, files: ReplicaFile[]): Promise<void> {
    await this.replicas.upsertPending(nodeId, files.map((file) => file.sha256), 'all');
    await this.enqueue(nodeId, files);
  }

  /** Asks a node's worker to reconcile its replica store (at most one waiting per node). */
  async scheduleReconciliation(nodeId: string): Promise<void> {
    await this.queues.addToNode(nodeId, JobName.ReconcileReplicaStore, {}, 'reconcile');
  }

  /** Every node of the pool, active or down. */
  async registeredNodes(): Promise<string[]> {
    return this.nodes.registeredNodes();
  }

  private async enqueue(nodeId: string, files: ReplicaFile[]): Promise<void> {
    for (const file of files) {
      await this.queues.addToNode(nodeId, JobName.ReplicateFile, { sha256: file.sha256, size: Number(file.size) }, file.sha256, {
        replaceFailed: true,
      });
    }
  }
}
