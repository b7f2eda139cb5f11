import type { RuleKeyFields } from '@ucupdates/rules';
import { RuleEntity, type UpdateFileRole } from '../entities';
import { QueryLayer } from './query-layer';

/** A file of an update version: the name devices download it under, its role and content. */
export interface VersionFile {
  name: string;
  role: UpdateFileRole;
  sha256: string;
}

/**
 * A file is still needed while a rule's approved, pending or restore version lists it (a rolled
 * back version needs none: RestoreBackup sends no files), or a version a reset or restore retired
 * within the grace period (`$1` seconds), which devices may still be downloading.
 */
const REFERENCED = `EXISTS (
  SELECT 1 FROM update_version_files uf
    JOIN update_versions v ON v.id = uf.update_version_id
    JOIN rules r ON r.id = v.rule_id
   WHERE uf.sha256 = files.sha256
     AND (v.version IN (r.approved_version, r.pending_version, r.restore_version)
          OR v.retired_at > now() - make_interval(secs => $1)))`;

/** What imports write: the content-addressed files, the rules' versions and their file lists (`files`, `update_versions`, `update_version_files`). */
export class CatalogRepository extends QueryLayer {
  /** A stored file, once (another package may have brought it before). */
  /**
   * A stored file, with the SHA-1 and MD5 DDI devices are told beside its SHA-256 (ddi.md). A file
   * stored before those were kept gets them when a package brings it again.
   */
  async addFile(file: { sha256: string; size: number; sha1: string; md5: string }): Promise<void> {
    await this.manager.query(
      `INSERT INTO files (sha256, size, sha1, md5) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sha256) DO UPDATE SET sha1 = excluded.sha1, md5 = excluded.md5 WHERE files.sha1 IS NULL OR files.md5 IS NULL`,
      [file.sha256, file.size, file.sha1, file.md5],
    );
  }

  /** The rule of this key, made (with no version) when there is none, and locked until the transaction ends. */
  async lockRuleByKey(key: RuleKeyFields): Promise<RuleEntity> {
    await this.manager.query(
      `INSERT INTO rules (device_type, brand, model, revision, locale, update_type) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (device_type, brand, model, revision, locale, update_type) DO NOTHING`,
      [key.deviceType, key.brand, key.model, key.revision, key.locale, key.updateType],
    );
    return this.manager
      .getRepository(RuleEntity)
      .createQueryBuilder('rule')
      .setLock('pessimistic_write')
      .where({
        deviceType: key.deviceType,
        brand: key.brand,
        model: key.model,
        revision: key.revision,
        locale: key.locale,
        updateType: key.updateType,
      })
      .getOneOrFail();
  }

  /**
   * A rule's version as an import brings it, with exactly these files: a version imported again
   * (after a reset) takes the files of the new package. Returns the version's id.
   */
  async putVersion(ruleId: string, version: string, importId: string, description: string | null, files: readonly VersionFile[]): Promise<string> {
    const [row] = await this.manager.query<{ id: string }[]>(
      `INSERT INTO update_versions (rule_id, version, import_id, description) VALUES ($1, $2, $3, $4)
       ON CONFLICT (rule_id, version) DO UPDATE SET import_id = excluded.import_id, description = excluded.description
       RETURNING id`,
      [ruleId, version, importId, description],
    );
    await this.manager.query(`DELETE FROM update_version_files WHERE update_version_id = $1`, [row.id]);
    for (const file of files) {
      await this.manager.query(`INSERT INTO update_version_files (update_version_id, name, role, sha256) VALUES ($1, $2, $3, $4)`, [
        row.id,
        file.name,
        file.role,
        file.sha256,
      ]);
    }
    return row.id;
  }

  async setPending(ruleId: string, pendingVersion: string | null, pendingAt: Date | null): Promise<void> {
    await this.manager.query(`UPDATE rules SET pending_version = $2, pending_at = $3, updated_at = now() WHERE id = $1`, [
      ruleId,
      pendingVersion,
      pendingAt,
    ]);
  }

  /**
   * Deletes the files no rule version needs any more (nor one retired within UCU_RETIRED_VERSION_GRACE_SECONDS) (and their places in version file lists);
   * returns their hashes. Run it in a transaction: an import that starts using a file meanwhile
   * holds a key lock on its row, so one of the two fails on the foreign key rather than a version
   * losing its file.
   */
  async purgeUnreferenced(): Promise<string[]> {
    const grace = [this.config.UCU_RETIRED_VERSION_GRACE_SECONDS];
    await this.manager.query(`DELETE FROM update_version_files WHERE sha256 IN (SELECT sha256 FROM files WHERE NOT ${REFERENCED})`, grace);
    // For DELETE … RETURNING, TypeORM answers [rows, count].
    const [rows] = await this.manager.query<[{ sha256: string }[], number]>(`DELETE FROM files WHERE NOT ${REFERENCED} RETURNING sha256`, grace);
    return rows.map((row) => row.sha256);
  }
}
