import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { Config } from '@ucupdates/config';
import {
  AdminAuditRepository,
  CatalogRepository,
  type ImportRow,
  ImportsRepository,
  type Repositories,
  type Transaction,
  UpdateFileRole,
} from '@ucupdates/database';
import { type ImportState, isFinal } from '@ucupdates/imports';
import type { JobPayloads, JobName } from '@ucupdates/jobs';
import { ImportOutcome, importVersion, ruleKeyText, ruleStateOf } from '@ucupdates/rules';
import { announceChange } from '@ucupdates/redis';
import type { ReplicationScheduler } from '@ucupdates/replication';
import { ObjectKeys, type ObjectStorage } from '@ucupdates/storage';
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
import { type ExtractedFile, type ExtractedPackage, extractPackage } from './package-extraction';
import type { SignaturePolicy } from './signature-policy';

/**
 * The import job (docs/architecture.md, flow 1): reads the package, checks all of it, stores every file
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
    private readonly repositories: Repositories,
    private readonly storage: ObjectStorage,
    private readonly signatures: SignaturePolicy,
    private readonly redis: Redis,
    /** Null where only the import itself is under test. */
    private readonly replication: ReplicationScheduler | null = null,
  ) {}

  private get imports(): ImportsRepository {
    return this.repositories.get(ImportsRepository);
  }

  private get catalog(): CatalogRepository {
    return this.repositories.get(CatalogRepository);
  }

  async handle(job: Job<JobPayloads[JobName.ImportPackage]>): Promise<{ status: ImportState }> {
    const { importId, sha256 } = job.data;
    const row = await this.imports.get(importId);
    if (!row) {
      throw new UnrecoverableError(`import ${importId} does not exist`);
    }
    // Done before (libs/imports: a final state takes no event): this is a repeated job.
    if (isFinal(row.status) || !(await this.imports.apply(importId, { type: 'start' }))) {
      const status = isFinal(row.status) ? row.status : ((await this.imports.get(importId))?.status ?? row.status);
      if (status === 'succeeded') {
        await this.replication?.scheduleImport(importId);
      }
      return { status };
    }
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
    return { status: 'succeeded' };
  }

  private async importPackage(row: ImportRow, sha256: string, workDir: string): Promise<number> {
    const extracted = await extractPackage(this.storage, ObjectKeys.package(sha256), workDir, {
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
      for (const [entry] of filesOf(update)) {
        const file = extracted.files.get(entryKey(entry))!;
        files.set(file.sha256, file);
      }
    }
    for (const file of files.values()) {
      const key = ObjectKeys.file(file.sha256);
      if ((await this.storage.stat(key))?.size !== file.size) {
        const stored = await this.storage.put(key, createReadStream(file.path));
        if (stored.sha256 !== file.sha256) {
          throw new Error(`${file.name} changed on local disk while it was stored (SHA-256 ${stored.sha256})`);
        }
      }
      await this.catalog.addFile(file);
    }
  }

  /** One transaction: every rule change, its version and files, its audit row, and the import's success. */
  private async applyToRules(row: ImportRow, updates: UpdateDescription[], extracted: ExtractedPackage): Promise<number> {
    return this.repositories.transactions.run(async (tx) => {
      let touched = 0;
      for (const update of updates) {
        touched += (await this.applyUpdate(tx, row, update, extracted)) ? 1 : 0;
      }
      await tx(this.imports).apply(row.id, { type: 'succeed' });
      return touched;
    });
  }

  private async applyUpdate(
    tx: Transaction,
    row: ImportRow,
    update: UpdateDescription,
    extracted: ExtractedPackage,
  ): Promise<boolean> {
    // Locked until commit: an approval or another import of this rule waits for this one.
    const rule = await tx(this.catalog).lockRuleByKey(update);
    const before = ruleStateOf(rule);
    const transition = importVersion(before, update.version, new Date());
    if (transition.outcome === ImportOutcome.AlreadyApproved || transition.outcome === ImportOutcome.AlreadyPending) {
      return false;
    }
    await tx(this.catalog).putVersion(
      rule.id,
      update.version,
      row.id,
      update.description,
      filesOf(update).map(([entry, role]) => ({ name: baseName(entry), role, sha256: extracted.files.get(entryKey(entry))!.sha256 })),
    );
    const after = transition.state;
    await tx(this.catalog).setPending(rule.id, after.pendingVersion, after.pendingAt);
    await tx(this.repositories.get(AdminAuditRepository)).record({
      actor: row.uploaded_by,
      role: 'system',
      action: 'rule.import',
      target: `rule/${rule.id}`,
      subject: ruleKeyText(update),
      before: { ...before },
      after: { ...after, importId: row.id },
      nodeId: this.config.UCU_NODE_ID,
    });
    return true;
  }

  /** A refused package keeps only its import record and the reason (update-package.md). */
  private async refuse(importId: string, sha256: string, refusal: PackageRefusal): Promise<void> {
    this.logger.warn(`import ${importId} refused: ${refusal.message}`);
    await this.storage.remove(ObjectKeys.package(sha256));
    await this.imports.markPackageRemoved(sha256);
    await this.fail(importId, refusal.code, refusal.message);
  }

  private async fail(importId: string, code: string, message: string): Promise<void> {
    await this.imports.apply(importId, { type: 'fail', code, message });
  }
}

/** An update's files and their roles: its image, and its catalog unless it is a DDI update without one. */
function filesOf(update: UpdateDescription): [string, UpdateFileRole][] {
  return [
    [update.imageEntry, UpdateFileRole.Image],
    ...(update.catalogEntry === null ? [] : [[update.catalogEntry, UpdateFileRole.Catalog] as [string, UpdateFileRole]]),
  ];
}
