import { Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module';
import { ConfigurationModule } from './configuration/configuration.module';
import { DdiActionsModule } from './ddi-actions/ddi-actions.module';
import { DdiTargetsModule } from './ddi-targets/ddi-targets.module';
import { DevicesModule } from './devices/devices.module';
import { FilesModule } from './files/files.module';
import { ImportsModule } from './imports/imports.module';
import { NodesModule } from './nodes/nodes.module';
import { PhoneUsersModule } from './phone-users/phone-users.module';
import { RequestAuditModule } from './request-audit/request-audit.module';
import { RulesModule } from './rules/rules.module';
import { SessionModule } from './session/session.module';
import { TestDevicesModule } from './test-devices/test-devices.module';
import { TokensModule } from './tokens/tokens.module';
import { UpdatesModule } from './updates/updates.module';

/**
 * The admin API (`/api/v1/…`), a module per resource. Only the internal listener imports it
 * (http/listeners.ts); the connections its features use come from the frontend's core there.
 * It exports SessionModule for the listener's AdminAuthGuard (panel sessions, directory users).
 */
@Module({
  imports: [
    NodesModule,
    UpdatesModule,
    ImportsModule,
    RulesModule,
    TokensModule,
    AuditModule,
    RequestAuditModule,
    DevicesModule,
    TestDevicesModule,
    ConfigurationModule,
    PhoneUsersModule,
    DdiTargetsModule,
    DdiActionsModule,
    FilesModule,
    SessionModule,
  ],
  exports: [SessionModule],
})
export class AdminModule {}
