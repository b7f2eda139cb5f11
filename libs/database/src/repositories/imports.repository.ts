import { IMPORT_TRANSITIONS, type ImportEvent, type ImportState, INITIAL_IMPORT_STATE, MAX_IMPORT_ERROR_MESSAGE } from '@ucupdates/imports';
import type { ImportedFileView } from '@ucupdates/admin-api';
import type { RuleKeyFields } from '@ucupdates/rules';
import { fromMicros, micros, type TimeKey } from './keyset';
import { QueryLayer } from './query-layer';

/** An `imports` row as node-postgres gives it. */
export interface ImportRow {
  id: string;
  package_sha256: string;
  file_name: string;
  status: ImportState;
  error_code: string | null;
  error_message: string | null;
  uploaded_by: string;
  created_at: Date;
  /** created_at as microseconds since 1970, for cursors (a JS Date keeps milliseconds). */
  created_micros: string;
  finished_at: Date | null;
}

/** A rule version an import brought. */
/** A rule version an import brought, with its files and their hashes as the admin API shows them (the statement makes exactly those rows). */
export type ImportedUpdate = RuleKeyFields & { ruleId: string; version: string; files: ImportedFileView[] };

/** A package just uploaded, stored under `objectKey`, and who uploaded it through which node. */
export interface NewImport {
  sha256: string;
  size: number;
  objectKey: string;
  fileName: string;
  uploadedBy: string;
  nodeId: string;
}

const SELECT_IMPORTS = `SELECT *, ${micros('created_at')} AS created_micros FROM imports`;

/**
 * Imports and their packages (`imports`, `packages`). An import's status changes only through
 * `apply`, by the state machine of libs/imports.
 */
export class ImportsRepository extends QueryLayer {
  async get(id: string): Promise<ImportRow | null> {
    const [row] = await this.manager.query<ImportRow[]>(`${SELECT_IMPORTS} WHERE id = $1`, [id]);
    return row ?? null;
  }

  async bySha256(sha256: string): Promise<ImportRow | null> {
    const [row] = await this.manager.query<ImportRow[]>(`${SELECT_IMPORTS} WHERE package_sha256 = $1`, [sha256]);
    return row ?? null;
  }

  /** Newest first, by (created_at, id) after `after`. */
  async page(after: TimeKey | null, limit: number): Promise<ImportRow[]> {
    return this.manager.query<ImportRow[]>(
      `${SELECT_IMPORTS}
        WHERE $1::bigint IS NULL OR (created_at, id) < (${fromMicros('$1')}, $2::uuid)
        ORDER BY created_at DESC, id DESC
        LIMIT $3`,
      [after?.micros ?? null, after?.id ?? null, limit],
    );
  }

  /** The rule versions each of `importIds` brought, in rule key order; one statement for any number. */
  async updatesOf(importIds: readonly string[]): Promise<Map<string, ImportedUpdate[]>> {
    const updates = new Map<string, ImportedUpdate[]>(importIds.map((id) => [id, []]));
    if (importIds.length === 0) return updates;
    const rows = await this.manager.query<(Omit<ImportedUpdate, 'files'> & { importId: string; versionId: string })[]>(
      `SELECT v.import_id AS "importId", v.id AS "versionId", r.id AS "ruleId", r.device_type AS "deviceType", r.brand, r.model,
              r.revision, r.locale, r.update_type AS "updateType", v.version
         FROM update_versions v JOIN rules r ON r.id = v.rule_id
        WHERE v.import_id = ANY($1::uuid[])
        ORDER BY r.device_type, r.brand, r.model, r.revision, r.locale, r.update_type`,
      [importIds],
    );
    // The files of all those versions in one more statement, whatever their number.
    const files = await this.manager.query<(ImportedFileView & { versionId: string })[]>(
      `SELECT f.update_version_id AS "versionId", f.name, f.role, fi.size::float8 AS size, f.sha256, fi.sha1, fi.md5
         FROM update_version_files f JOIN files fi ON fi.sha256 = f.sha256
        WHERE f.update_version_id = ANY($1::uuid[])
        ORDER BY f.role DESC, f.name`,
      [rows.map((row) => row.versionId)],
    );
    const byVersion = new Map<string, ImportedFileView[]>(rows.map((row) => [row.versionId, []]));
    for (const { versionId, ...file } of files) byVersion.get(versionId)!.push(file);
    for (const { importId, versionId, ...update } of rows) updates.get(importId)!.push({ ...update, files: byVersion.get(versionId)! });
    return updates;
  }

  /**
   * Records an uploaded package and its import, `queued` (libs/imports). Null when an import of
   * these bytes exists already (the same bytes, uploaded through another node at the same moment).
   */
  async create(upload: NewImport): Promise<string | null> {
    await this.manager.query(`INSERT INTO packages (sha256, size, object_key) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING`, [
      upload.sha256,
      upload.size,
      upload.objectKey,
    ]);
    const rows = await this.manager.query<{ id: string }[]>(
      `INSERT INTO imports (package_sha256, file_name, uploaded_by, node_id, status) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (package_sha256) DO NOTHING RETURNING id`,
      [upload.sha256, upload.fileName, upload.uploadedBy, upload.nodeId, INITIAL_IMPORT_STATE],
    );
    return rows.length === 0 ? null : rows[0].id;
  }

  /**
   * Persists `event` (libs/imports): the import takes the event's state only from a state the
   * machine allows it in, so a refused transition changes nothing. Whether the import changed.
   */
  async apply(importId: string, event: ImportEvent): Promise<boolean> {
    const { from, to } = IMPORT_TRANSITIONS[event.type];
    const [set, values] = columnsOf(event);
    const [, changed] = await this.manager.query<[unknown[], number]>(
      `UPDATE imports SET status = $2, ${set} WHERE id = $1 AND status = ANY($3::text[])`,
      [importId, to, from, ...values],
    );
    return changed > 0;
  }

  /** The package's object is gone from the store (a refused package keeps only its import). */
  async markPackageRemoved(sha256: string): Promise<void> {
    await this.manager.query(`UPDATE packages SET removed_at = now() WHERE sha256 = $1`, [sha256]);
  }
}

/** The columns an event sets besides the status; their parameters start at $4. */
function columnsOf(event: ImportEvent): [string, unknown[]] {
  switch (event.type) {
    case 'start':
      return ['started_at = coalesce(started_at, now()), attempts = attempts + 1', []];
    case 'succeed':
      return ['finished_at = now(), error_code = NULL, error_message = NULL', []];
    case 'fail':
      return ['finished_at = now(), error_code = $4, error_message = $5', [event.code, event.message.slice(0, MAX_IMPORT_ERROR_MESSAGE)]];
  }
}
