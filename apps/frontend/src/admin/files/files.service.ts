import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PurgeView } from '@ucupdates/admin-api';
import { CatalogRepository } from '@ucupdates/database';
import { ReplicationScheduler } from '@ucupdates/replication';
import { ObjectKeys, ObjectStorage } from '@ucupdates/storage';
import type { AdminPrincipal } from '../../auth/admin-principal';
import { AdminChanges } from '../shared/admin-changes';

/**
 * Lync's Clear-CsDeviceUpdateFile: removes the files no rule version needs any more, from the
 * catalogue, the object store and every node's replica store (each node's worker reconciles its
 * store once asked: a node that is down does so when it comes back).
 */
@Injectable()
export class FilesService {
  private readonly logger = new Logger(FilesService.name);

  constructor(
    @Inject(CatalogRepository) private readonly catalog: CatalogRepository,
    @Inject(AdminChanges) private readonly changes: AdminChanges,
    @Inject(ObjectStorage) private readonly storage: ObjectStorage,
    @Inject(ReplicationScheduler) private readonly replication: ReplicationScheduler,
  ) {}

  /**
   * The rows go first, in one transaction with the audit row (CatalogRepository.purgeUnreferenced
   * says which files go); the objects after, and only those whose rows went.
   */
  async purge(principal: AdminPrincipal): Promise<PurgeView> {
    const removed = await this.changes.transaction(async (tx) => {
      const hashes = await tx(this.catalog).purgeUnreferenced();
      await this.changes.record(tx, principal, {
        action: 'files.purge',
        target: 'files',
        subject: 'files no version references',
        before: null,
        after: { removed: hashes.length, sha256: hashes },
      });
      return hashes;
    });
    for (const sha256 of removed) {
      await this.storage.remove(ObjectKeys.file(sha256));
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
