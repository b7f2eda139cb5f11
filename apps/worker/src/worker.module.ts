import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Module,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { CONFIG, type Config, ConfigModule } from '@ucupdates/config';
import { DatabaseModule, PoolNodesRepository, Repositories, RequestAuditRepository } from '@ucupdates/database';
import { bullQueueName, JobName, JobQueues, jobsOf, QUEUE_PREFIX, QueueName } from '@ucupdates/jobs';
import { Metrics, ObservabilityModule } from '@ucupdates/observability';
import { PoolMembership } from '@ucupdates/pool';
import { createRedis, RedisModule } from '@ucupdates/redis';
import { ObjectStorage, StorageModule } from '@ucupdates/storage';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { OrphanedJournal } from './audit-journal/orphaned-journal';
import { DeviceLogCleanUpHandler } from './housekeeping/device-log-clean-up.handler';
import { removeExpiredRequestAudit } from './housekeeping/request-audit-retention.handler';
import { ImportPackageHandler } from './imports/import-package.handler';
import { SignaturePolicy } from './imports/signature-policy';
import { type JobHandler, JobRunner } from './jobs/job-runner';
import { NodeReplication } from './replication/node-replication';

/**
 * The worker of one node: runs the pool's queues and beats its heartbeat. On shutdown it stops
 * taking jobs, lets running ones finish (or releases them at the deadline), then leaves the pool.
 */
@Module({})
class WorkerServicesModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly membership: PoolMembership;
  private readonly runner: JobRunner;
  private readonly queues: JobQueues;
  private readonly replication: NodeReplication;
  private readonly nodeId: string;
  /** Ships the frontend's request audit journal when the frontend is gone (decision 74). */
  private readonly orphanedJournal: OrphanedJournal;
  /** Every job's handler: a job without one does not compile. */
  private readonly handlers: Record<JobName, JobHandler>;

  constructor(
    @Inject(CONFIG) config: Config,
    @Inject(Repositories) repositories: Repositories,
    @Inject(Redis) redis: Redis,
    @Inject(Metrics) metrics: Metrics,
    @Inject(ObjectStorage) storage: ObjectStorage,
  ) {
    this.queues = new JobQueues(redis);
    this.runner = new JobRunner({
      prefix: QUEUE_PREFIX,
      concurrency: config.UCU_WORKER_CONCURRENCY,
      shutdownTimeoutMs: config.UCU_SHUTDOWN_TIMEOUT_MS,
      lockDurationMs: config.UCU_JOB_LOCK_DURATION_MS,
      connect: () => createRedis(config.REDIS_URL, `ucupdates:${config.UCU_NODE_ID}:worker`),
    });
    this.nodeId = config.UCU_NODE_ID;
    this.orphanedJournal = new OrphanedJournal(config.UCU_AUDIT_JOURNAL_DIR, config.UCU_NODE_ID, repositories.get(RequestAuditRepository));
    this.replication = new NodeReplication(config, repositories, storage, this.queues);
    // Removed while running (a forced removal): the node fills its store again, as one that joins.
    this.membership = PoolMembership.of(repositories.get(PoolNodesRepository), metrics, 'worker', config, () =>
      this.replication.scheduler.scheduleReconciliation(config.UCU_NODE_ID),
    );
    const importer = new ImportPackageHandler(
      config,
      repositories,
      storage,
      SignaturePolicy.fromConfig(config),
      redis,
      this.replication.scheduler,
    );
    const logCleanUp = new DeviceLogCleanUpHandler(config, repositories, storage, redis);
    this.handlers = {
      [JobName.ImportPackage]: (job) => importer.handle(job),
      [JobName.RequestAuditRetention]: () =>
        removeExpiredRequestAudit(repositories.get(RequestAuditRepository), config.UCU_REQUEST_AUDIT_RETENTION_DAYS),
      [JobName.DeviceLogCleanUp]: () => logCleanUp.handle(),
      [JobName.ReplicateFile]: (job) => this.replication.replicateFile(job),
      [JobName.ReconcileReplicas]: () => this.replication.reconcileAllNodes(),
      [JobName.ReconcileReplicaStore]: () => this.replication.reconcileStore(),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    // First: a frontend killed while this worker was down left its journal to it.
    this.orphanedJournal.start();
    await this.membership.join();
    await this.queues.schedulePeriodicJobs();
    await this.replication.start();
    // The pool's queues, and this node's own replication queue (no other node's).
    this.runner.start(
      Object.values(QueueName).map((queue) => ({
        name: bullQueueName(queue, this.nodeId),
        handlers: Object.fromEntries(jobsOf(queue).map((name) => [name, this.handlers[name]])),
      })),
    );
    this.replication.startScrub();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.replication.stopScrub();
    await this.runner.close();
    await this.queues.close();
    await this.membership.leave();
    await this.orphanedJournal.stop();
  }
}

export class WorkerModule {
  static forRoot(config: Config, logger: Logger, metrics: Metrics): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot(logger, metrics),
        DatabaseModule,
        RedisModule.forRoot(),
        StorageModule,
        WorkerServicesModule,
      ],
    };
  }
}
