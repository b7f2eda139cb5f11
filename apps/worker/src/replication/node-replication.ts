import { Logger } from '@nestjs/common';
import type { Config } from '@ucupdates/config';
import { PoolNodesRepository, ReplicasRepository, type Repositories } from '@ucupdates/database';
import type { JobName, JobPayloads, JobQueues } from '@ucupdates/jobs';
import { ReplicationScheduler } from '@ucupdates/replication';
import { type ObjectStorage, ReplicaStore } from '@ucupdates/storage';
import type { Job } from 'bullmq';
import { KeyedLock } from './keyed-lock';
import { type ReconciliationSummary, ReplicaReconciler } from './replica-reconciler';
import { ReplicaRows } from './replica-rows';
import { ReplicaScrubber } from './replica-scrubber';
import { ReplicaWriter } from './replica-writer';
import { ReplicateFileHandler, type ReplicateOutcome } from './replicate-file.handler';

/**
 * The replication side of one node's worker: its jobs' handlers over the node's replica store, and
 * what it does at start-up, before it takes jobs.
 */
export class NodeReplication {
  private readonly logger = new Logger(NodeReplication.name);
  readonly scheduler: ReplicationScheduler;
  readonly writer: ReplicaWriter;
  readonly replicator: ReplicateFileHandler;
  readonly reconciler: ReplicaReconciler;
  readonly scrubber: ReplicaScrubber;

  constructor(
    private readonly config: Config,
    repositories: Repositories,
    storage: ObjectStorage,
    private readonly queues: JobQueues,
  ) {
    const lock = new KeyedLock();
    const replicas = repositories.get(ReplicasRepository);
    const rows = new ReplicaRows(replicas, config.UCU_NODE_ID);
    const nodes = repositories.get(PoolNodesRepository);
    this.scheduler = new ReplicationScheduler(replicas, nodes, queues);
    this.writer = new ReplicaWriter(new ReplicaStore(config.UCU_REPLICA_DIR), storage);
    this.replicator = new ReplicateFileHandler(replicas, this.writer, rows, lock);
    this.reconciler = new ReplicaReconciler(replicas, this.writer, rows, lock, this.scheduler);
    this.scrubber = new ReplicaScrubber(config, this.writer, this.reconciler, lock, nodes);
  }

  /**
   * Before the node's jobs run: temporary files of a killed worker go (no write is in progress
   * yet), and a reconciliation is queued, which also queues whatever this node still lacks.
   */
  async start(): Promise<void> {
    const removed = await this.writer.removeTemporaryFiles();
    if (removed > 0) {
      this.logger.warn(`removed ${removed} temporary file(s) left in the replica store by an interrupted write`);
    }
    await this.scheduler.scheduleReconciliation(this.config.UCU_NODE_ID);
  }

  /** Once the node takes its jobs: the scrub of its store, in the background. */
  startScrub(): void {
    this.scrubber.start();
  }

  stopScrub(): Promise<void> {
    return this.scrubber.stop();
  }

  replicateFile(job: Job<JobPayloads[JobName.ReplicateFile]>): Promise<{ outcome: ReplicateOutcome }> {
    return this.replicator.handle(job);
  }

  reconcileStore(): Promise<ReconciliationSummary> {
    return this.reconciler.reconcile();
  }

  /**
   * The pool's periodic job: every registered node reconciles its own store, on its own worker;
   * the queues of nodes the pool no longer has (removed while Redis was away, or refilled by an
   * import that raced the removal) go.
   */
  async reconcileAllNodes(): Promise<{ nodes: number; droppedQueues: string[] }> {
    // Queues first: a node registers before its worker makes its queue, so one that joins between
    // the two reads is never taken for gone.
    const withQueues = await this.queues.nodesWithQueues();
    const nodes = await this.scheduler.registeredNodes();
    for (const nodeId of nodes) {
      await this.scheduler.scheduleReconciliation(nodeId);
    }
    const droppedQueues = withQueues.filter((nodeId) => !nodes.includes(nodeId));
    for (const nodeId of droppedQueues) {
      this.logger.warn(`dropping the queue of node ${nodeId}, which the pool no longer has`);
      await this.queues.dropNodeQueues(nodeId);
    }
    return { nodes: nodes.length, droppedQueues };
  }
}
