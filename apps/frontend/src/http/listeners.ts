import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CONFIG } from '@ucupdates/config';
import { REPOSITORIES, Transactions } from '@ucupdates/database';
import { JobQueues } from '@ucupdates/jobs';
import { Metrics, PINO_LOGGER } from '@ucupdates/observability';
import { PoolNodesService } from '@ucupdates/pool';
import { ObjectStorage } from '@ucupdates/storage';
import { Redis } from 'ioredis';
import { AdminModule } from '../admin/admin.module';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { DirectoryConnection } from '../directory/directory-connection';
import { DownloadTokens } from '../devices/lync/download-tokens';
import { DdiModule } from '../devices/ddi/ddi.module';
import { LyncModule } from '../devices/lync/lync.module';
import { PoolStateService } from '../devices/pool-state/pool-state.service';
import { RequestAuditWriter } from '../devices/request-audit/request-audit-writer';
import { AdminExceptionFilter } from '../errors/admin-exception.filter';
import { DocsController } from '../docs/docs.controller';
import { HealthController } from '../health/health.controller';
import { ReadinessService } from '../health/readiness.service';
import { MetricsController } from '../metrics/metrics.controller';
import { ReplicationScheduler } from '@ucupdates/replication';
import { ExternalExceptionFilter } from './external-exception.filter';
import { SharedCoreModule } from './shared-core.module';

const SHARED = [
  CONFIG,
  PINO_LOGGER,
  Metrics,
  Redis,
  ObjectStorage,
  JobQueues,
  ReadinessService,
  PoolNodesService,
  PoolStateService,
  RequestAuditWriter,
  DownloadTokens,
  DirectoryConnection,
  ReplicationScheduler,
  Transactions,
  ...REPOSITORIES,
];

/**
 * The internal listener: phones inside the network, the admin API, health and metrics. Every
 * route needs an admin token unless it is marked public (AdminAuthGuard).
 */
export class InternalListenerModule {
  static on(core: INestApplicationContext): DynamicModule {
    return {
      module: InternalListenerModule,
      imports: [SharedCoreModule.from(core, SHARED), LyncModule.on('internal'), DdiModule.on('internal'), AdminModule],
      controllers: [HealthController, MetricsController, DocsController],
      providers: [
        { provide: APP_GUARD, useClass: AdminAuthGuard },
        { provide: APP_FILTER, useClass: AdminExceptionFilter },
      ],
    };
  }
}

/**
 * The external listener: the external phone routes and the DDI routes, nothing else — no admin
 * route, no internal route, not even health (the load balancer checks the internal port), so publishing
 * this port through a reverse proxy exposes nothing more.
 */
export class ExternalListenerModule {
  static on(core: INestApplicationContext): DynamicModule {
    return {
      module: ExternalListenerModule,
      imports: [SharedCoreModule.from(core, SHARED), LyncModule.on('external'), DdiModule.on('external')],
      providers: [{ provide: APP_FILTER, useClass: ExternalExceptionFilter }],
    };
  }
}
