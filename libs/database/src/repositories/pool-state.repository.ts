import type { DeviceUpdateConfiguration } from '@ucupdates/device-config';
import type { RuleKeyFields } from '@ucupdates/rules';
import { ConfigurationRepository } from './configuration.repository';
import { QueryLayer } from './query-layer';

/** A rule with one file of one of its approved, pending and restore versions (none: version and file null). */
export interface RuleFileRow extends RuleKeyFields {
  id: string;
  approvedVersion: string | null;
  pendingVersion: string | null;
  rolledBackVersion: string | null;
  restoreVersion: string | null;
  /** When the rule last changed (rules.updated_at). */
  updatedAt: Date;
  version: string | null;
  /** When the version was retired (reset, restore), if it is one kept for the grace period. */
  retiredAt: Date | null;
  name: string | null;
  role: string | null;
  sha256: string | null;
  /** Null also for a file stored before SHA-1 and MD5 were kept (file.entity.ts). */
  sha1: string | null;
  md5: string | null;
  /** bigint, as text. */
  size: string | null;
}

export interface TestDeviceRow {
  scope: string;
  identifierType: string;
  identifier: string;
}

/** What a frontend holds in memory to answer devices: every rule with its offered files, the test devices, the configurations. */
export interface PoolStateSnapshot {
  /** By rule id, version and file name. */
  ruleFiles: RuleFileRow[];
  testDevices: TestDeviceRow[];
  configurations: DeviceUpdateConfiguration[];
}

/** The reads a frontend's in-memory pool state is loaded from. */
export class PoolStateRepository extends QueryLayer {
  /**
   * After a rule change: the versions it no longer offers are retired now (their files stay
   * downloadable for the grace period), the ones it offers again are not retired.
   */
  async retireVersions(ruleId: string, offered: readonly string[], withdrawn: readonly string[]): Promise<void> {
    if (offered.length === 0 && withdrawn.length === 0) return;
    await this.manager.query(
      `UPDATE update_versions
          SET retired_at = CASE WHEN version = ANY($2::text[]) THEN NULL ELSE now() END
        WHERE rule_id = $1 AND (version = ANY($2::text[]) OR version = ANY($3::text[]))`,
      [ruleId, offered, withdrawn],
    );
  }

  /** One snapshot for the three reads, so they agree with each other. */
  snapshot(): Promise<PoolStateSnapshot> {
    return this.manager.transaction('REPEATABLE READ', async (manager) => {
      const ruleFiles = await manager.query<RuleFileRow[]>(
        `SELECT r.id, r.device_type AS "deviceType", r.brand, r.model, r.revision, r.locale, r.update_type AS "updateType",
                r.approved_version AS "approvedVersion", r.pending_version AS "pendingVersion",
                r.rolled_back_version AS "rolledBackVersion", r.restore_version AS "restoreVersion", r.updated_at AS "updatedAt",
                v.version, CASE WHEN v.version IN (r.approved_version, r.pending_version, r.restore_version) THEN NULL ELSE v.retired_at END AS "retiredAt",
                f.name, f.role, f.sha256, fi.sha1, fi.md5, fi.size
           FROM rules r
           LEFT JOIN update_versions v ON v.rule_id = r.id
                AND (v.version IN (r.approved_version, r.pending_version, r.restore_version)
                     OR v.retired_at > now() - make_interval(secs => $1))
           LEFT JOIN update_version_files f ON f.update_version_id = v.id
           LEFT JOIN files fi ON fi.sha256 = f.sha256
          ORDER BY r.id, v.version, f.name`,
        [this.config.UCU_RETIRED_VERSION_GRACE_SECONDS],
      );
      const testDevices = await manager.query<TestDeviceRow[]>(
        `SELECT scope, identifier_type AS "identifierType", identifier FROM test_devices ORDER BY scope, identifier`,
      );
      const configurations = await new ConfigurationRepository(manager, this.config).all();
      return { ruleFiles, testDevices, configurations };
    });
  }
}
