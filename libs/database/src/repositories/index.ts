import { DeviceLogsRepository } from './device-logs.repository';
import { PhoneUsersRepository } from './phone-users.repository';
import { PoolStateRepository } from './pool-state.repository';
import type { RepositoryClass } from './query-layer';
import { RequestAuditRepository } from './request-audit.repository';

export * from './device-logs.repository';
export * from './phone-users.repository';
export * from './pool-state.repository';
export * from './query-layer';
export * from './request-audit.repository';

/**
 * Every repository, provided (and exported) by DatabaseModule to whoever injects it by class.
 * A new repository is one file in this folder and one entry here.
 */
export const REPOSITORIES: RepositoryClass[] = [DeviceLogsRepository, PhoneUsersRepository, PoolStateRepository, RequestAuditRepository];
