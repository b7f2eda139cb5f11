import { AdminAuditEntity } from './admin-audit.entity';
import { AdminTokenEntity } from './admin-token.entity';
import { DdiActionEntity } from './ddi-action.entity';
import { DdiTargetEntity } from './ddi-target.entity';
import { DeviceLogEntity } from './device-log.entity';
import { DeviceUpdateConfigurationEntity } from './device-update-configuration.entity';
import { DeviceEntity } from './device.entity';
import { FileEntity } from './file.entity';
import { ImportEntity } from './import.entity';
import { PackageEntity } from './package.entity';
import { PhoneUserEntity } from './phone-user.entity';
import { PoolNodeEntity } from './pool-node.entity';
import { ReplicaEntity } from './replica.entity';
import { RequestAuditEntity } from './request-audit.entity';
import { RuleEntity } from './rule.entity';
import { TestDeviceEntity } from './test-device.entity';
import { UpdateVersionFileEntity } from './update-version-file.entity';
import { UpdateVersionEntity } from './update-version.entity';

export * from './admin-audit.entity';
export * from './admin-token.entity';
export * from './ddi-target.entity';
export * from './ddi-action.entity';
export * from './device-log.entity';
export * from './device-update-configuration.entity';
export * from './device.entity';
export * from './file.entity';
export * from './import.entity';
export * from './package.entity';
export * from './phone-user.entity';
export * from './pool-node.entity';
export * from './replica.entity';
export * from './request-audit.entity';
export * from './rule.entity';
export * from './test-device.entity';
export * from './update-version-file.entity';
export * from './update-version.entity';

export const entities = [
  AdminAuditEntity,
  AdminTokenEntity,
  DdiActionEntity,
  DdiTargetEntity,
  DeviceEntity,
  DeviceLogEntity,
  DeviceUpdateConfigurationEntity,
  FileEntity,
  ImportEntity,
  PackageEntity,
  PhoneUserEntity,
  PoolNodeEntity,
  ReplicaEntity,
  RequestAuditEntity,
  RuleEntity,
  TestDeviceEntity,
  UpdateVersionEntity,
  UpdateVersionFileEntity,
];
