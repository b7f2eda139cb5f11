import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { Config } from '@ucupdates/config';
import { ImportStatus, RuleEntity, recordAdminChange, UpdateFileRole } from '@ucupdates/database';
import type { JobPayloads, JobName } from '@ucupdates/jobs';
import { ImportOutcome, importVersion, ruleStateOf } from '@ucupdates/rules';
import { announceChange } from '@ucupdates/redis';
import type { ReplicationScheduler } from '@ucupdates/replication';
import { fileObjectKey, type ObjectStorage } from '@ucupdates/storage';
import {
  baseName,
  entryKey,
  PackageRefusal,
  parseUpdateDescription,
  planUpdates,
  type UpdateDescription,
} from '@ucupdates/update-package';
import { type Job, UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DataSource, EntityManager } from 'typeorm';
import { type ExtractedFile, type ExtractedPackage, extractPackage } from './package-extraction';
import type { SignaturePolicy } from './signature-policy';

interface ImportRow {
  id: string;
  status: ImportStatus;
  uploaded_by: string;
}

/**
 * The import job (architecture.md, flow 1): reads the package, checks all of it, stores every file
 * once under its SHA-256, then in one transaction creates or updates the rules (a new version
 * becomes pending) with their audit rows and marks the import succeeded. All or nothing: a refused
 * package changes no rule, its object is deleted, and the import says why. Safe to run twice.
 * Once it succeeded, its files are queued for every node (flow 2); a job run again after the
 * commit queues them again, so a worker dying between the two loses no replication.
 */
export class ImportPackageHandler {
  private readonly logger = new Logger(ImportPackageHandler.name);

  constructor(
    private readonly config: Config,
    private readonly dataSource: DataSource,
    private readonly storage: ObjectStorage,
    private readonly signatures: SignaturePolicy,
    private readonly redis: Redis,
    /** Null where only the import itself is under test. */
    private readonly replication: ReplicationScheduler | null = null,
  ) {}

  async handle(job: Job<JobPayloads[JobName.ImportPackage]>): Promise<{ status: ImportStatus }> {
    const { importId, sha256 } = job.data;
    const [row] = await this.dataSource.query<ImportRow[]>(`SELECT id, status, uploaded_by FROM imports WHERE id = $1`, [importId]);
    if (!row) {
      throw new UnrecoverableError(`import ${importId} does not exist`);
    }
    if (row.status === ImportStatus.Succeeded || row.status === ImportStatus.Failed) {
      if (row.status === ImportStatus.Succeeded) {
        await this.replication?.scheduleImport(importId);
      }
      return { status: row.status }; // done before: this is a repeated job
    }
    await this.dataSource.query(
      `UPDATE imports SET status = 'processing', started_at = coalesce(started_at, now()), attempts = attempts + 1 WHERE id = $1`,
      [importId],
    );
    const workDir = await mkdtemp(join(tmpdir(), 'ucupdates-import-'));
    try {
      const updates = await this.importPackage(row, sha256, workDir);
      this.logger.log(`import ${importId}: ${updates} rule(s) touched`);
    } catch (error) {
      if (error instanceof PackageRefusal) {
        await this.refuse(importId, sha256, error);
        throw new UnrecoverableError(error.message);
      }
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        await this.fail(importId, 'ImportFailed', `gave up after ${job.attemptsMade + 1} attempts: ${(error as Error).message}`);
      }
      throw error;
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
    // After the commit and its announcement, outside the try: the import has succeeded whatever
    // happens here. A failure retries the job, which comes back through the `succeeded` branch
    // above and queues again.
    await this.replication?.scheduleImport(importId);
    return { status: ImportStatus.Succeeded };
  }

  private async importPackage(row: ImportRow, sha256: string, workDir: string): Promise<number> {
    const extracted = await extractPackage(this.storage, `packages/${sha256}`, workDir, {
      maxUncompressedSize: this.config.UCU_MAX_PACKAGE_UNCOMPRESSED_BYTES,
      maxRatio: this.config.UCU_MAX_COMPRESSION_RATIO,
    });
    try {
      const updates = planUpdates(
        extracted.descriptions.map((description) => parseUpdateDescription(description.xml, description.name, extracted.names)),
      );
      await this.signatures.check(extracted, updates);
      await this.storeFiles(extracted, updates);
      const touched = await this.applyToRules(row, updates, extracted);
      await announceChange(this.redis, 'rules');
      return touched;
    } finally {
      await extracted.close();
    }
  }

  /** Each file once, under its SHA-256: a file another package brought is not stored again. */
  private async storeFiles(extracted: ExtractedPackage, updates: UpdateDescription[]): Promise<void> {
    const files = new Map<string, ExtractedFile>();
    for (const update of updates) {
      for (const entry of [update.imageEntry, update.catalogEntry]) {
        const file = extracted.files.get(entryKey(entry))!;
        files.set(file.sha256, file);
      }
    }
    for (const file of files.values()) {
      const key = fileObjectKey(file.sha256);
      if ((await this.storage.stat(key))?.size !== file.size) {
        const stored = await this.storage.put(key, createReadStream(file.path));
        if (stored.sha256 !== file.sha256) {
          throw new Error(`${file.name} changed on local disk while it was stored (SHA-256 ${stored.sha256})`);
        }
      }
      await this.dataSource.query(`INSERT INTO files (sha256, size) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING`, [
        file.sha256,
        file.size,
      ]);
    }
  }

  /** One transaction: every rule change, its version and files, its audit row, and the import's success. */
  private async applyToRules(row: ImportRow, updates: UpdateDescription[], extracted: ExtractedPackage): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      let touched = 0;
      for (const update of updates) {
        touched += (await this.applyUpdate(manager, row, update, extracted)) ? 1 : 0;
      }
      await manager.query(
        `UPDATE imports SET status = 'succeeded', finished_at = now(), error_code = NULL, error_message = NULL WHERE id = $1`,
        [row.id],
      );
      return touched;
    });
  }

  private async applyUpdate(
    manager: EntityManager,
    row: ImportRow,
    update: UpdateDescription,
    extracted: ExtractedPackage,
  ): Promise<boolean> {
    const key = [update.deviceType, update.brand, update.model, update.revision, update.locale, update.updateType];
    await manager.query(
      `INSERT INTO rules (device_type, brand, model, revision, locale, update_type) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (device_type, brand, model, revision, locale, update_type) DO NOTHING`,
      key,
    );
    // Locked until commit: an approval or another import of this rule waits for this one.
    const rule = await manager
      .getRepository(RuleEntity)
      .createQueryBuilder('rule')
      .setLock('pessimistic_write')
      .where({
        deviceType: update.deviceType,
        brand: update.brand,
        model: update.model,
        revision: update.revision,
        locale: update.locale,
        updateType: update.updateType,
      })
      .getOneOrFail();
    const before = ruleStateOf(rule);
    const transition = importVersion(before, update.version, new Date());
    if (transition.outcome === ImportOutcome.AlreadyApproved || transition.outcome === ImportOutcome.AlreadyPending) {
      return false;
    }
    const [version] = await manager.query<{ id: string }[]>(
      `INSERT INTO update_versions (rule_id, version, import_id, description) VALUES ($1, $2, $3, $4)
       ON CONFLICT (rule_id, version) DO UPDATE SET import_id = excluded.import_id, description = excluded.description
       RETURNING id`,
      [rule.id, update.version, row.id, update.description],
    );
    // A version imported again (after a reset) takes the files of this package.
    await manager.query(`DELETE FROM update_version_files WHERE update_version_id = $1`, [version.id]);
    for (const [entry, role] of [
      [update.imageEntry, UpdateFileRole.Image],
      [update.catalogEntry, UpdateFileRole.Catalog],
    ] as const) {
      await manager.query(`INSERT INTO update_version_files (update_version_id, name, role, sha256) VALUES ($1, $2, $3, $4)`, [
        version.id,
        baseName(entry),
        role,
        extracted.files.get(entryKey(entry))!.sha256,
      ]);
    }
    const after = transition.state;
    await manager.query(`UPDATE rules SET pending_version = $2, pending_at = $3, updated_at = now() WHERE id = $1`, [
      rule.id,
      after.pendingVersion,
      after.pendingAt,
    ]);
    await recordAdminChange(manager, {
      actor: row.uploaded_by,
      role: 'system',
      action: 'rule.import',
      target: `rule/${rule.id}`,
      before: { ...before },
      after: { ...after, importId: row.id },
      nodeId: this.config.UCU_NODE_ID,
    });
    return true;
  }

  /** A refused package keeps only its import record and the reason (update-package.md). */
  private async refuse(importId: string, sha256: string, refusal: PackageRefusal): Promise<void> {
    this.logger.warn(`import ${importId} refused: ${refusal.message}`);
    await this.storage.delete(`packages/${sha256}`);
    await this.dataSource.query(`UPDATE packages SET removed_at = now() WHERE sha256 = $1`, [sha256]);
    await this.fail(importId, refusal.code, refusal.message);
  }

  private async fail(importId: string, code: string, message: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE imports SET status = 'failed', finished_at = now(), error_code = $2, error_message = $3 WHERE id = $1`,
      [importId, code, message.slice(0, 2000)],
    );
  }
}
