import { AdminAuditRepository } from './admin-audit.repository';
import { AdminTokensRepository } from './admin-tokens.repository';
import { CatalogRepository } from './catalog.repository';
import { ConfigurationRepository } from './configuration.repository';
import { DdiActionsRepository } from './ddi-actions.repository';
import { DdiTargetsRepository } from './ddi-targets.repository';
import { DeviceLogsRepository } from './device-logs.repository';
import { DevicesRepository } from './devices.repository';
import { HealthRepository } from './health.repository';
import { ImportsRepository } from './imports.repository';
import { PhoneUsersRepository } from './phone-users.repository';
import { PoolNodesRepository } from './pool-nodes.repository';
import { PoolStateRepository } from './pool-state.repository';
import { ReplicasRepository } from './replicas.repository';
import { RequestAuditRepository } from './request-audit.repository';
import { RulesRepository } from './rules.repository';
import { TestDevicesRepository } from './test-devices.repository';
import type { RepositoryClass } from './query-layer';

export * from './admin-audit.repository';
export * from './admin-tokens.repository';
export * from './catalog.repository';
export * from './configuration.repository';
export * from './ddi-targets.repository';
export * from './ddi-actions.repository';
export * from './device-logs.repository';
export * from './devices.repository';
export * from './health.repository';
export * from './imports.repository';
export * from './keyset';
export * from './phone-users.repository';
export * from './pool-nodes.repository';
export * from './pool-state.repository';
export * from './query-layer';
export * from './replicas.repository';
export * from './replication-status';
export * from './repositories';
export * from './request-audit.repository';
export * from './rules.repository';
export * from './test-devices.repository';
export * from './transactions';

/**
 * Every repository, provided (and exported) by DatabaseModule to whoever injects it by class.
 * A new repository is one file in this folder and one entry here.
 */
export const REPOSITORIES: RepositoryClass[] = [
  AdminAuditRepository,
  AdminTokensRepository,
  CatalogRepository,
  ConfigurationRepository,
  DdiActionsRepository,
  DdiTargetsRepository,
  DeviceLogsRepository,
  DevicesRepository,
  HealthRepository,
  ImportsRepository,
  PhoneUsersRepository,
  PoolNodesRepository,
  PoolStateRepository,
  ReplicasRepository,
  RequestAuditRepository,
  RulesRepository,
  TestDevicesRepository,
];
