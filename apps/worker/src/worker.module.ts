import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Module,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { CONFIG, type Config, ConfigModule } from '@ucupdates/config';
import { DatabaseModule } from '@ucupdates/database';
import { bullQueueName, JobName, JobQueues, jobsOf, QUEUE_PREFIX, QueueName } from '@ucupdates/jobs';
import { Metrics, ObservabilityModule } from '@ucupdates/observability';
import { PoolMembership } from '@ucupdates/pool';
import { createRedis, RedisModule } from '@ucupdates/redis';
import { StorageModule } from '@ucupdates/storage';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { deleteExpiredRequestAudit } from './housekeeping/request-audit-retention.handler';
import { type JobHandler, JobRunner } from './jobs/job-runner';

/**
 * The worker of one node: runs the pool's queues and beats its heartbeat. On shutdown it stops
 * taking jobs, lets running ones finish (or releases them at the deadline), then leaves the pool.
 */
@Module({})
class WorkerServicesModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly membership: PoolMembership;
  private readonly runner: JobRunner;
  private readonly queues: JobQueues;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(Redis) redis: Redis,
    @Inject(Metrics) metrics: Metrics,
  ) {
    this.membership = PoolMembership.of(dataSource, metrics, 'worker', config);
    this.queues = new JobQueues(redis);
    this.runner = new JobRunner({
      prefix: QUEUE_PREFIX,
      concurrency: config.UCU_WORKER_CONCURRENCY,
      shutdownTimeoutMs: config.UCU_SHUTDOWN_TIMEOUT_MS,
      connect: () => createRedis(config.REDIS_URL, `ucupdates:${config.UCU_NODE_ID}:worker`),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.membership.join();
    await this.queues.schedulePeriodicJobs();
    this.runner.start([{ name: bullQueueName(QueueName.Housekeeping), handlers: this.handlersOf(QueueName.Housekeeping) }]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.close();
    await this.queues.close();
    await this.membership.leave();
  }

  /** Refuses to start when a job of the queue has no handler: such jobs would pile up unseen. */
  private handlersOf(queue: QueueName): Record<string, JobHandler> {
    const handlers: Partial<Record<JobName, JobHandler>> = {
      [JobName.RequestAuditRetention]: () =>
        deleteExpiredRequestAudit(this.dataSource, this.config.UCU_REQUEST_AUDIT_RETENTION_DAYS),
    };
    const missing = jobsOf(queue).filter((name) => !handlers[name]);
    if (missing.length > 0) {
      throw new Error(`queue ${queue} has jobs without a handler: ${missing.join(', ')}`);
    }
    return handlers as Record<string, JobHandler>;
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
        RedisModule,
        StorageModule,
        WorkerServicesModule,
      ],
    };
  }
}
