import { Logger } from '@nestjs/common';
import { JobName, type JobQueues } from '@ucupdates/jobs';
import type { DataSource } from 'typeorm';
import { markImportsReplicated } from './import-replication';

/** A file to replicate: the job's payload. */
export interface ReplicaFile {
  sha256: string;
  size: number;
}

/**
 * The producer side of replication (architecture.md, flows 2 and 5), used by workers (after an
 * import, by reconciliation) and frontends (a download that found its replica missing). Each
 * file goes to each node's own queue with job id = its SHA-256, and its `replicas` row is made
 * `pending`; only the node's worker turns a row `ready`, once the file is whole and verified.
 */
export class ReplicationScheduler {
  private readonly logger = new Logger(ReplicationScheduler.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: JobQueues,
    /** UCU_NODE_DOWN_AFTER_MS: which nodes are active, for an import's `replicated_at`. */
    private readonly nodeDownAfterMs: number,
  ) {}

  /**
   * After an import committed: every file of its versions to every registered node, active or
   * not (a node that is down finds its jobs waiting when it comes back). Returns the jobs added.
   */
  async scheduleImport(importId: string): Promise<number> {
    const files = await this.dataSource.query<ReplicaFile[]>(
      `SELECT DISTINCT f.sha256, fl.size::float8 AS size
         FROM update_versions v
         JOIN update_version_files f ON f.update_version_id = v.id
         JOIN files fl ON fl.sha256 = f.sha256
        WHERE v.import_id = $1`,
      [importId],
    );
    const nodes = await this.registeredNodes();
    for (const nodeId of nodes) {
      await this.scheduleFiles(nodeId, files);
    }
    // Every file may be ready everywhere already (the same files imported before).
    await markImportsReplicated(this.dataSource, this.nodeDownAfterMs, { importId });
    this.logger.log(`import ${importId}: ${files.length} file(s) queued for ${nodes.length} node(s)`);
    return files.length * nodes.length;
  }

  /**
   * Queues files for a node. A `ready` row stays ready (the job re-checks the file and keeps it);
   * a `failed` one becomes `pending` again with its attempts reset, as a new job now runs.
   */
  async scheduleFiles(nodeId: string, files: ReplicaFile[]): Promise<void> {
    await this.upsertPending(nodeId, files, `replicas.state = 'failed'`);
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
    await this.upsertPending(nodeId, files, 'true');
    await this.enqueue(nodeId, files);
  }

  /** Asks a node's worker to reconcile its replica store (at most one waiting per node). */
  async scheduleReconciliation(nodeId: string): Promise<void> {
    await this.queues.addToNode(nodeId, JobName.ReconcileReplicaStore, {}, 'reconcile');
  }

  /** Every node of the pool, active or down. */
  async registeredNodes(): Promise<string[]> {
    const rows = await this.dataSource.query<{ id: string }[]>(`SELECT id FROM pool_nodes ORDER BY id`);
    return rows.map((row) => row.id);
  }

  /**
   * Rows only for files that still exist and a node that is registered (both are foreign keys: a
   * purge or a node's removal may race with this). `overwrite` is a fixed SQL condition, never input.
   */
  private async upsertPending(nodeId: string, files: ReplicaFile[], overwrite: string): Promise<void> {
    if (files.length === 0) {
      return;
    }
    await this.dataSource.query(
      `INSERT INTO replicas (node_id, sha256, state, attempts, last_error, updated_at)
       SELECT n.id, f.sha256, 'pending', 0, NULL, now()
         FROM pool_nodes n JOIN files f ON f.sha256 = ANY($2::text[])
        WHERE n.id = $1
       ON CONFLICT (node_id, sha256) DO UPDATE
         SET state = 'pending', attempts = 0, last_error = NULL, updated_at = now()
         WHERE ${overwrite}`,
      [nodeId, files.map((file) => file.sha256)],
    );
  }

  private async enqueue(nodeId: string, files: ReplicaFile[]): Promise<void> {
    for (const file of files) {
      await this.queues.addToNode(nodeId, JobName.ReplicateFile, { sha256: file.sha256, size: Number(file.size) }, file.sha256, {
        replaceFailed: true,
      });
    }
  }
}
