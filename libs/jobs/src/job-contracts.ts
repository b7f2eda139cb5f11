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
}

export enum JobName {
  /** Job id: the package's SHA-256, so the same package is imported once however often it comes. */
  ImportPackage = 'import-package',
  RequestAuditRetention = 'request-audit-retention',
}

export interface JobPayloads {
  [JobName.ImportPackage]: { importId: string; sha256: string };
  [JobName.RequestAuditRetention]: Record<string, never>;
}

export interface JobContract {
  queue: QueueName;
  options: JobsOptions;
  /** For periodic jobs: how often the pool runs it. */
  everyMs?: number;
}

const HOUR = 3_600_000;

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
};

/**
 * The queue's name as BullMQ sees it. The braces are a Redis Cluster hash tag: every key of one
 * queue lands in the same slot, which BullMQ's Lua scripts need.
 */
export function bullQueueName(queue: QueueName): string {
  return `{${queue}}`;
}

export function jobsOf(queue: QueueName): JobName[] {
  return (Object.keys(JOBS) as JobName[]).filter((name) => JOBS[name].queue === queue);
}
