import type { JobsOptions } from 'bullmq';

/**
 * Every queue and job of ucupdates, in one place: names, payloads and options. Payloads carry ids
 * and hashes, never file contents. Producers (frontends, workers) and consumers (workers) share
 * these, so a job cannot be sent that no one handles, nor handled with the wrong payload.
 */

/** Redis key prefix of every queue. */
export const QUEUE_PREFIX = 'ucu';

export enum QueueName {
  /** Imports of uploaded packages; any worker takes them. */
  Import = 'import',
  /** Pool-wide periodic work; each periodic job runs once per pool, on whichever worker takes it. */
  Housekeeping = 'housekeeping',
  /**
   * Replication into one node's replica store: each node has its own queue of this name
   * (`{replica-<nodeId>}`, see bullQueueName), taken only by that node's worker.
   */
  Replica = 'replica',
}

/** Queues of which every node has its own, named after the node. */
export const PER_NODE_QUEUES: ReadonlySet<QueueName> = new Set([QueueName.Replica]);

export enum JobName {
  /** Job id: the package's SHA-256, so the same package is imported once however often it comes. */
  ImportPackage = 'import-package',
  RequestAuditRetention = 'request-audit-retention',
  /**
   * Runs every minute; cleans up only when the configured time of day (or, without one, the hour)
   * has come and no run has cleaned up for it yet (apps/worker/src/housekeeping).
   */
  DeviceLogCleanUp = 'device-log-clean-up',
  /**
   * Job id: the file's SHA-256, so a file is queued once per node however many imports bring it.
   * Removed on completion, so a later repair of the same file adds a new job.
   */
  ReplicateFile = 'replicate-file',
  /** Periodic, once per pool: asks every registered node to reconcile its replica store. */
  ReconcileReplicas = 'reconcile-replicas',
  /** Job id `reconcile`: one waiting reconciliation per node at most. */
  ReconcileReplicaStore = 'reconcile-replica-store',
}

export interface JobPayloads {
  [JobName.ImportPackage]: { importId: string; sha256: string };
  [JobName.RequestAuditRetention]: Record<string, never>;
  [JobName.DeviceLogCleanUp]: Record<string, never>;
  [JobName.ReplicateFile]: { sha256: string; size: number };
  [JobName.ReconcileReplicas]: Record<string, never>;
  [JobName.ReconcileReplicaStore]: Record<string, never>;
}

export interface JobContract {
  queue: QueueName;
  options: JobsOptions;
  /** For periodic jobs: how often the pool runs it. */
  everyMs?: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const JOBS: Record<JobName, JobContract> = {
  [JobName.ImportPackage]: {
    queue: QueueName.Import,
    options: {
      // Transient faults (the object store or Postgres away) are retried; a refused package
      // fails for good at once (UnrecoverableError).
      attempts: 8,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: { count: 1_000 },
      removeOnFail: { count: 1_000 },
    },
  },
  [JobName.RequestAuditRetention]: {
    queue: QueueName.Housekeeping,
    everyMs: HOUR,
    options: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 30_000 },
      removeOnComplete: { count: 100 },
      removeOnFail: { count: 100 },
    },
  },
  [JobName.DeviceLogCleanUp]: {
    queue: QueueName.Housekeeping,
    everyMs: MINUTE,
    options: {
      // A failed run gives its claim back; a retry, or the next minute's run, cleans up.
      attempts: 3,
      backoff: { type: 'exponential', delay: 10_000 },
      removeOnComplete: { count: 100 },
      removeOnFail: { count: 100 },
    },
  },
  [JobName.ReplicateFile]: {
    queue: QueueName.Replica,
    options: {
      // 5 s, 10 s, … about 85 min in all: an object store away for a while is waited out. The
      // final failure is recorded in the file's `replicas` row (state `failed`, last_error).
      attempts: 10,
      backoff: { type: 'exponential', delay: 5_000 },
      // Removed at once, so the same file added again (a repair) is a new job. Failed ones are
      // kept, bounded, for inspection; the scheduler removes one before adding its file again.
      removeOnComplete: true,
      removeOnFail: { count: 1_000 },
    },
  },
  [JobName.ReconcileReplicas]: {
    queue: QueueName.Housekeeping,
    everyMs: 6 * HOUR,
    options: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 30_000 },
      removeOnComplete: { count: 100 },
      removeOnFail: { count: 100 },
    },
  },
  [JobName.ReconcileReplicaStore]: {
    queue: QueueName.Replica,
    options: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 30_000 },
      removeOnComplete: true,
      removeOnFail: { count: 100 },
    },
  },
};

/**
 * The queue's name as BullMQ sees it. The braces are a Redis Cluster hash tag: every key of one
 * queue lands in the same slot, which BullMQ's Lua scripts need. A per-node queue needs the node's
 * id (`{replica-node-1}`; BullMQ refuses `:` in a name); the pool's queues ignore it.
 */
export function bullQueueName(queue: QueueName, nodeId?: string): string {
  if (!PER_NODE_QUEUES.has(queue)) {
    return `{${queue}}`;
  }
  if (!nodeId) {
    throw new Error(`queue ${queue} is per node: a node id is needed`);
  }
  return `{${queue}-${nodeId}}`;
}

/** The node's own replication queue. */
export function replicaQueueName(nodeId: string): string {
  return bullQueueName(QueueName.Replica, nodeId);
}

export function jobsOf(queue: QueueName): JobName[] {
  return (Object.keys(JOBS) as JobName[]).filter((name) => JOBS[name].queue === queue);
}
