import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { DataSource } from 'typeorm';
import { ApiError } from '../../errors/api-error';
import type { Page } from '../pagination';
import { decodeTimeCursor, encodeTimeCursor, fromMicros, isUuid, micros } from '../time-cursor';
import type { RuleKeyFields } from '@ucupdates/rules';

export interface ImportView {
  importId: string;
  sha256: string;
  fileName: string;
  status: string;
  error: { code: string; message: string } | null;
  updates: (RuleKeyFields & { ruleId: string; version: string })[];
  replication: { state: 'pending' | 'complete'; nodes: Record<string, { ready: number; missing: number }> };
  createdAt: string;
  finishedAt: string | null;
}

interface ImportRow {
  id: string;
  package_sha256: string;
  file_name: string;
  status: string;
  error_code: string | null;
  error_message: string | null;
  created_at: Date;
  /** created_at as Postgres prints it, to the microsecond (a JS Date keeps milliseconds). */
  created_micros: string;
  finished_at: Date | null;
}

/** Imports as `GET /api/v1/imports` shows them. */
@Injectable()
export class ImportsService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async get(importId: string): Promise<ImportView> {
    const [row] = await this.dataSource.query<ImportRow[]>(`SELECT * FROM imports WHERE id = $1`, [importId]);
    if (!row) {
      throw new ApiError('NotFound', `no import ${importId}`, HttpStatus.NOT_FOUND);
    }
    return this.view(row);
  }

  async findBySha256(sha256: string): Promise<ImportView | null> {
    const [row] = await this.dataSource.query<ImportRow[]>(`SELECT * FROM imports WHERE package_sha256 = $1`, [sha256]);
    return row ? this.view(row) : null;
  }

  /** Newest first; the cursor is the last item's (created_at, id), to the microsecond. */
  async list(limit: number, cursor?: string): Promise<Page<ImportView>> {
    // The microsecond cursor of decision 29: a forged one is a 400 naming `cursor`, never a cast error.
    const after = cursor ? decodeTimeCursor(cursor, isUuid) : null;
    const rows = await this.dataSource.query<ImportRow[]>(
      `SELECT *, ${micros('created_at')} AS created_micros FROM imports
        WHERE $1::bigint IS NULL OR (created_at, id) < (${fromMicros('$1')}, $2::uuid)
        ORDER BY created_at DESC, id DESC
        LIMIT $3`,
      [after?.micros ?? null, after?.id ?? null, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: await Promise.all(page.map((row) => this.view(row))),
      nextCursor: rows.length > limit && last ? encodeTimeCursor({ micros: last.created_micros, id: last.id }) : null,
    };
  }

  private async view(row: ImportRow): Promise<ImportView> {
    const updates = await this.dataSource.query<ImportView['updates']>(
      `SELECT r.id AS "ruleId", r.device_type AS "deviceType", r.brand, r.model, r.revision, r.locale,
              r.update_type AS "updateType", v.version
         FROM update_versions v JOIN rules r ON r.id = v.rule_id
        WHERE v.import_id = $1
        ORDER BY r.device_type, r.brand, r.model, r.revision, r.locale, r.update_type`,
      [row.id],
    );
    return {
      importId: row.id,
      sha256: row.package_sha256,
      fileName: row.file_name,
      status: row.status,
      error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
      updates,
      replication: await this.replication(row.id),
      createdAt: row.created_at.toISOString(),
      finishedAt: row.finished_at?.toISOString() ?? null,
    };
  }

  /** For each active node, how many of the import's files its replica store holds. */
  private async replication(importId: string): Promise<ImportView['replication']> {
    const rows = await this.dataSource.query<{ node_id: string; ready: number; missing: number }[]>(
      `WITH wanted AS (
         SELECT DISTINCT f.sha256 FROM update_version_files f
           JOIN update_versions v ON v.id = f.update_version_id WHERE v.import_id = $1)
       SELECT n.id AS node_id,
              count(r.sha256)::int AS ready,
              ((SELECT count(*) FROM wanted) - count(r.sha256))::int AS missing
         FROM pool_nodes n
         LEFT JOIN replicas r ON r.node_id = n.id AND r.state = 'ready' AND r.sha256 IN (SELECT sha256 FROM wanted)
        WHERE n.frontend_heartbeat_at > now() - make_interval(secs => $2::double precision / 1000)
        GROUP BY n.id ORDER BY n.id`,
      [importId, this.config.UCU_NODE_DOWN_AFTER_MS],
    );
    const nodes = Object.fromEntries(rows.map((row) => [row.node_id, { ready: row.ready, missing: row.missing }]));
    return { state: rows.every((row) => row.missing === 0) ? 'complete' : 'pending', nodes };
  }
}
