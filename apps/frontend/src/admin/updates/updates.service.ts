import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ImportView } from '@ucupdates/admin-api';
import { CONFIG, type Config } from '@ucupdates/config';
import { ImportsRepository } from '@ucupdates/database';
import { JobName, JobQueues } from '@ucupdates/jobs';
import { ObjectKeys, ObjectStorage, ObjectTooLargeError } from '@ucupdates/storage';
import type { AdminPrincipal } from '../../auth/admin-principal';
import { ApiError } from '../../errors/api-error';
import { ImportsService } from '../imports/imports.service';
import { AdminChanges } from '../shared/admin-changes';

export interface UploadResult {
  /** False when these bytes were uploaded before: the answer is the first import. */
  created: boolean;
  import: ImportView;
}

/**
 * Takes an uploaded package: streams it into the object store while hashing it (never whole in
 * memory), records the import and its audit row in one transaction, and queues the import job.
 * The package's SHA-256 is the job id, so the same bytes are imported once.
 */
@Injectable()
export class UpdatesService {
  private readonly logger = new Logger(UpdatesService.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(ImportsRepository) private readonly importRows: ImportsRepository,
    @Inject(AdminChanges) private readonly changes: AdminChanges,
    @Inject(ObjectStorage) private readonly storage: ObjectStorage,
    @Inject(JobQueues) private readonly queues: JobQueues,
    @Inject(ImportsService) private readonly imports: ImportsService,
  ) {}

  async upload(body: Readable, fileName: string, principal: AdminPrincipal): Promise<UploadResult> {
    // Under a key of its own until the hash is known, then copied to its content address.
    const uploadKey = ObjectKeys.upload(randomUUID());
    const maxBytes = this.config.UCU_MAX_UPLOAD_BYTES;
    let stored;
    try {
      stored = await this.storage.put(uploadKey, body, { maxBytes, contentType: 'application/vnd.ms-cab-compressed' });
    } catch (error) {
      if (error instanceof ObjectTooLargeError) {
        throw new ApiError('PackageTooLarge', `the package is larger than ${maxBytes} bytes (UCU_MAX_UPLOAD_BYTES)`, {
          maxBytes,
        });
      }
      // The client's body ended before the package did (a multipart body cut off, a connection
      // dropped): the client's fault, and nothing was stored.
      if ((error as NodeJS.ErrnoException)?.code === 'ERR_STREAM_PREMATURE_CLOSE') {
        throw new ApiError('IncompleteUpload', 'the upload ended before the package did; send it again', {
          field: 'file',
        });
      }
      throw error;
    }
    try {
      if (stored.size === 0) {
        throw new ApiError('EmptyPackage', 'the upload has no bytes: send the .cab as the body or as the multipart field "file"', {
          field: 'file',
        });
      }
      const existing = await this.imports.findBySha256(stored.sha256);
      if (existing) {
        await this.requeueIfWaiting(existing);
        return { created: false, import: existing };
      }
      const packageKey = ObjectKeys.package(stored.sha256);
      await this.storage.copy(uploadKey, packageKey);
      // Not announced: nothing a frontend keeps in memory changed yet.
      const importId = await this.changes.transaction(async (tx) => {
        const id = await tx(this.importRows).create({
          sha256: stored.sha256,
          size: stored.size,
          objectKey: packageKey,
          fileName,
          uploadedBy: principal.name,
          nodeId: this.config.UCU_NODE_ID,
        });
        if (id === null) {
          return null; // the same bytes, uploaded through another node at the same moment
        }
        await this.changes.record(tx, principal, {
          action: 'update.upload',
          target: `import/${id}`,
          subject: fileName,
          before: null,
          after: { importId: id, sha256: stored.sha256, size: stored.size, fileName },
        });
        return id;
      });
      if (importId === null) {
        return { created: false, import: (await this.imports.findBySha256(stored.sha256))! };
      }
      await this.queues.add(JobName.ImportPackage, { importId, sha256: stored.sha256 }, stored.sha256);
      this.logger.log(`package ${stored.sha256} (${stored.size} bytes) uploaded by ${principal.name}: import ${importId} queued`);
      return { created: true, import: await this.imports.get(importId) };
    } finally {
      await this.storage.remove(uploadKey);
    }
  }

  /**
   * An import still `queued` may have lost its job (Redis was away when it was added): adding it
   * again is safe, since the job id is the package's hash.
   */
  private async requeueIfWaiting(existing: ImportView): Promise<void> {
    if (existing.status === 'queued') {
      await this.queues.add(JobName.ImportPackage, { importId: existing.importId, sha256: existing.sha256 }, existing.sha256);
    }
  }
}
