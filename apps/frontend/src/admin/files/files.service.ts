import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { ReplicationScheduler } from '@ucupdates/replication';
import { fileObjectKey, ObjectStorage } from '@ucupdates/storage';
import { DataSource } from 'typeorm';
import type { AdminPrincipal } from '../../auth/admin-principal';
import { AdminChanges } from '../admin-changes';

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

/**
 * Lync's Clear-CsDeviceUpdateFile: removes the files no rule version needs any more, from the
 * catalogue, the object store and every node's replica store (each node's worker reconciles its
 * store once asked: a node that is down does so when it comes back).
 */
@Injectable()
export class FilesService {
  private readonly logger = new Logger(FilesService.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(AdminChanges) private readonly changes: AdminChanges,
    @Inject(ObjectStorage) private readonly storage: ObjectStorage,
    @Inject(ReplicationScheduler) private readonly replication: ReplicationScheduler,
  ) {}

  /**
   * The rows go first, in one transaction with the audit row; the objects after, and only those
   * whose rows went. An import that starts using a file meanwhile holds a key lock on its row, so
   * one of the two fails on the foreign key rather than a version losing its file.
   */
  async purge(principal: AdminPrincipal): Promise<{ removed: number }> {
    const removed = await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `DELETE FROM update_version_files WHERE sha256 IN (SELECT sha256 FROM files WHERE NOT ${REFERENCED})`,
        [this.config.UCU_RETIRED_VERSION_GRACE_SECONDS],
      );
      // For DELETE … RETURNING, TypeORM answers [rows, count].
      const [rows]: [{ sha256: string }[], number] = await manager.query(
        `DELETE FROM files WHERE NOT ${REFERENCED} RETURNING sha256`,
        [this.config.UCU_RETIRED_VERSION_GRACE_SECONDS],
      );
      const hashes = rows.map((row) => row.sha256);
      await this.changes.record(manager, principal, {
        action: 'files.purge',
        target: 'files',
        before: null,
        after: { removed: hashes.length, sha256: hashes },
      });
      return hashes;
    });
    for (const sha256 of removed) {
      await this.storage.delete(fileObjectKey(sha256));
    }
    if (removed.length > 0) {
      for (const nodeId of await this.replication.registeredNodes()) {
        await this.replication.scheduleReconciliation(nodeId);
      }
    }
    this.logger.log(`purged ${removed.length} file(s) no rule version uses`);
    return { removed: removed.length };
  }
}
