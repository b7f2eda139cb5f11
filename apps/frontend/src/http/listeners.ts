import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CONFIG } from '@ucupdates/config';
import { REPOSITORIES, Transactions } from '@ucupdates/database';
import { JobQueues } from '@ucupdates/jobs';
import { Metrics, PINO_LOGGER } from '@ucupdates/observability';
import { PoolNodesService } from '@ucupdates/pool';
import { ObjectStorage } from '@ucupdates/storage';
import { Redis } from 'ioredis';
import { AdminChanges } from '../admin/admin-changes';
import { AdminAuditController } from '../admin/audit/admin-audit.controller';
import { ConfigurationController } from '../admin/configuration/configuration.controller';
import { ConfigurationService } from '../admin/configuration/configuration.service';
import { DeviceLogsController } from '../admin/device-logs/device-logs.controller';
import { DeviceLogsService } from '../admin/device-logs/device-logs.service';
import { DevicesController } from '../admin/devices/devices.controller';
import { DevicesService } from '../admin/devices/devices.service';
import { FilesController } from '../admin/files/files.controller';
import { FilesService } from '../admin/files/files.service';
import { ImportsController } from '../admin/imports/imports.controller';
import { ImportsService } from '../admin/imports/imports.service';
import { NodesController } from '../admin/nodes/nodes.controller';
import { PhoneUsersController } from '../admin/phone-users/phone-users.controller';
import { PhoneUsersService } from '../admin/phone-users/phone-users.service';
import { RequestAuditController } from '../admin/request-audit/request-audit.controller';
import { RequestAuditService } from '../admin/request-audit/request-audit.service';
import { RulesController } from '../admin/rules/rules.controller';
import { DirectorySignIn } from '../admin/session/directory-sign-in';
import { SessionController } from '../admin/session/session.controller';
import { RulesService } from '../admin/rules/rules.service';
import { TestDevicesController } from '../admin/test-devices/test-devices.controller';
import { TestDevicesService } from '../admin/test-devices/test-devices.service';
import { TokensController } from '../admin/tokens/tokens.controller';
import { TokensService } from '../admin/tokens/tokens.service';
import { UpdatesController } from '../admin/updates/updates.controller';
import { UpdatesService } from '../admin/updates/updates.service';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { PanelSessions } from '../auth/panel-sessions';
import { DirectoryConnection } from '../directory/directory-connection';
import { DownloadTokens } from '../devices/lync/download-tokens';
import { LyncModule } from '../devices/lync/lync.module';
import { PhoneExceptionFilter } from '../devices/lync/phone-exception.filter';
import { PoolStateService } from '../devices/pool-state/pool-state.service';
import { RequestAuditWriter } from '../devices/request-audit/request-audit-writer';
import { AdminExceptionFilter } from '../errors/admin-exception.filter';
import { DocsController } from '../docs/docs.controller';
import { HealthController } from '../health/health.controller';
import { ReadinessService } from '../health/readiness.service';
import { MetricsController } from '../metrics/metrics.controller';
import { ReplicationScheduler } from '@ucupdates/replication';
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
      imports: [SharedCoreModule.from(core, SHARED), LyncModule.on('internal')],
      controllers: [
        HealthController,
        MetricsController,
        NodesController,
        UpdatesController,
        ImportsController,
        RulesController,
        TokensController,
        AdminAuditController,
        RequestAuditController,
        DevicesController,
        DeviceLogsController,
        TestDevicesController,
        ConfigurationController,
        PhoneUsersController,
        FilesController,
        DocsController,
        SessionController,
      ],
      providers: [
        AdminChanges,
        UpdatesService,
        ImportsService,
        RulesService,
        TokensService,
        TestDevicesService,
        ConfigurationService,
        PhoneUsersService,
        FilesService,
        RequestAuditService,
        DevicesService,
        DeviceLogsService,
        PanelSessions,
        DirectorySignIn,
        { provide: APP_GUARD, useClass: AdminAuthGuard },
        { provide: APP_FILTER, useClass: AdminExceptionFilter },
      ],
    };
  }
}

/**
 * The external listener: the external phone routes and nothing else — no admin route, no
 * internal route, not even health (the load balancer checks the internal port), so publishing
 * this port through a reverse proxy exposes nothing more.
 */
export class ExternalListenerModule {
  static on(core: INestApplicationContext): DynamicModule {
    return {
      module: ExternalListenerModule,
      imports: [SharedCoreModule.from(core, SHARED), LyncModule.on('external')],
      providers: [{ provide: APP_FILTER, useClass: PhoneExceptionFilter }],
    };
  }
}
