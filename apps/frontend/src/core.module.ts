import { type BeforeApplicationShutdown, Inject, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { CONFIG, type Config, ConfigModule } from '@ucupdates/config';
import { AdminTokensRepository, DatabaseModule, PoolNodesRepository } from '@ucupdates/database';
import { JobsModule } from '@ucupdates/jobs';
import { Metrics, ObservabilityModule } from '@ucupdates/observability';
import { PoolMembership, PoolNodesService } from '@ucupdates/pool';
import { RedisModule } from '@ucupdates/redis';
import { ReplicationModule } from '@ucupdates/replication';
import { StorageModule } from '@ucupdates/storage';
import type { Logger } from 'pino';
import { ensureBootstrapToken } from './auth/bootstrap-token';
import { DirectoryConnection } from './directory/directory-connection';
import { ReadinessService } from './health/readiness.service';
import { ActivityRecorder } from './metrics/activity-recorder';
import { DownloadTokens } from './devices/lync/download-tokens';
import { PoolStateService } from './devices/pool-state/pool-state.service';
import { RequestAuditWriter } from './devices/request-audit/request-audit-writer';

/**
 * What a frontend holds once, whichever listener a request came in on: connections, caches,
 * pool membership. Both HTTP applications (internal and external) are built on the instances
 * of this context (see http/create-http-app.ts).
 */
@Module({
  providers: [ReadinessService, PoolNodesService, PoolStateService, RequestAuditWriter, DownloadTokens, DirectoryConnection, ActivityRecorder],
  exports: [ReadinessService, PoolNodesService, PoolStateService, RequestAuditWriter, DownloadTokens, DirectoryConnection],
})
class FrontendServicesModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly membership: PoolMembership;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(AdminTokensRepository) private readonly tokens: AdminTokensRepository,
    @Inject(PoolNodesRepository) nodes: PoolNodesRepository,
    @Inject(Metrics) metrics: Metrics,
    @Inject(PoolStateService) private readonly poolState: PoolStateService,
    @Inject(RequestAuditWriter) private readonly requestAudit: RequestAuditWriter,
    @Inject(DirectoryConnection) private readonly directory: DirectoryConnection,
    @Inject(ActivityRecorder) private readonly activity: ActivityRecorder,
  ) {
    this.membership = PoolMembership.of(nodes, metrics, 'frontend', config);
  }

  async onApplicationBootstrap(): Promise<void> {
    await ensureBootstrapToken(this.tokens, this.config.UCU_BOOTSTRAP_ADMIN_TOKEN);
    await this.poolState.start();
    await this.requestAudit.start();
    await this.membership.join();
    this.activity.start();
  }

  /** Before the connections close: the node is reported down at once, not after the timeout. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.requestAudit.stop();
    await this.activity.stop();
    await this.poolState.stop();
    await this.membership.leave();
    this.directory.close();
  }
}

export class FrontendCoreModule {
  static forRoot(config: Config, logger: Logger, metrics: Metrics) {
    return {
      module: FrontendCoreModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot(logger, metrics),
        DatabaseModule,
        // A phone or an admin is answered (or refused 503) within two seconds while Redis is away.
        RedisModule.forRoot({ commandTimeoutMs: 2_000 }),
        StorageModule,
        JobsModule,
        ReplicationModule,
        FrontendServicesModule,
      ],
    };
  }
}
