import { InitialSchema1795766400000 } from './1795766400000-initial-schema';
import { RetiredVersions1796342400000 } from './1796342400000-retired-versions';
import { ReplicaScrub1796500000000 } from './1796500000000-replica-scrub';
import { DdiTargets1796600000000 } from './1796600000000-ddi-targets';
import { FileDigests1796610000000 } from './1796610000000-file-digests';
import { DdiActions1796750000000 } from './1796750000000-ddi-actions';
import { VersionKey1796900000000 } from './1796900000000-version-key';
import { AdminAuditSubject1797100000000 } from './1797100000000-admin-audit-subject';
import { InventoryGroup1797400000000 } from './1797400000000-inventory-group';
import { InventoryGroupInlined1797600000000 } from './1797600000000-inventory-group-inlined';

/** Every migration, oldest first. Listed explicitly so the apps, the CLI and Jest load the same set. */
export const migrations = [
  InitialSchema1795766400000,
  RetiredVersions1796342400000,
  ReplicaScrub1796500000000,
  DdiTargets1796600000000,
  FileDigests1796610000000,
  DdiActions1796750000000,
  VersionKey1796900000000,
  AdminAuditSubject1797100000000,
  InventoryGroup1797400000000,
  InventoryGroupInlined1797600000000,
];
