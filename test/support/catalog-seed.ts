import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { ObjectKeys, type ObjectStorage, ReplicaStore } from '@ucupdates/storage';
import type { DataSource } from 'typeorm';

export interface SeedFile {
  name: string;
  role: 'image' | 'catalog';
  content: Buffer;
}

export interface SeedRule {
  deviceType?: string;
  brand?: string;
  model?: string;
  revision?: string;
  locale?: string;
  updateType?: string;
}

export interface SeededFile extends SeedFile {
  sha256: string;
}

/**
 * Puts a rule and versions of it straight into the catalogue, as an import would leave them: rows
 * in Postgres, each file in the object store and (unless `replica: false`) in the replica store.
 * For tests of what comes after an import (update checks, downloads); imports have their own tests.
 */
export class CatalogSeed {
  constructor(
    private readonly dataSource: DataSource,
    private readonly storage: ObjectStorage,
    private readonly replicaDir: string,
  ) {}

  async rule(fields: SeedRule = {}): Promise<string> {
    const [{ id }] = await this.dataSource.query(
      `INSERT INTO rules (device_type, brand, model, revision, locale, update_type)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [
        fields.deviceType ?? 'UCPhone',
        fields.brand ?? 'Polycom',
        fields.model ?? 'CX600',
        fields.revision ?? 'A',
        fields.locale ?? 'ENU',
        fields.updateType ?? 'CPE',
      ],
    );
    return id;
  }

  /** A version of the rule with its files. */
  async version(ruleId: string, version: string, files: SeedFile[], { replica = true } = {}): Promise<SeededFile[]> {
    const [{ id: versionId }] = await this.dataSource.query(
      `INSERT INTO update_versions (rule_id, version) VALUES ($1, $2) RETURNING id`,
      [ruleId, version],
    );
    const seeded: SeededFile[] = [];
    for (const file of files) {
      const sha256 = createHash('sha256').update(file.content).digest('hex');
      await this.storage.put(ObjectKeys.file(sha256), Readable.from([file.content]));
      if (replica) {
        const path = new ReplicaStore(this.replicaDir).pathOf(sha256);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, file.content);
      }
      await this.dataSource.query(`INSERT INTO files (sha256, size) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
        sha256,
        file.content.length,
      ]);
      await this.dataSource.query(
        `INSERT INTO update_version_files (update_version_id, name, role, sha256) VALUES ($1, $2, $3, $4)`,
        [versionId, file.name, file.role, sha256],
      );
      seeded.push({ ...file, sha256 });
    }
    return seeded;
  }

  /** Sets the rule's versions as the admin API's transitions would leave them. */
  async state(
    ruleId: string,
    versions: { approved?: string | null; pending?: string | null; restore?: string | null; rolledBack?: string | null },
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE rules SET approved_version = $2, pending_version = $3, restore_version = $4, rolled_back_version = $5,
              approved_at = CASE WHEN $2::varchar IS NULL THEN NULL ELSE now() END,
              pending_at = CASE WHEN $3::varchar IS NULL THEN NULL ELSE now() END,
              updated_at = now()
        WHERE id = $1`,
      [ruleId, versions.approved ?? null, versions.pending ?? null, versions.restore ?? null, versions.rolledBack ?? null],
    );
  }
}
