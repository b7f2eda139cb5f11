import { Inject, Injectable } from '@nestjs/common';
import type { ImportView, Page } from '@ucupdates/admin-api';
import { type ImportRow, ImportsRepository, ReplicasRepository } from '@ucupdates/database';
import type { ImportState } from '@ucupdates/imports';
import { ApiError } from '../../errors/api-error';
import { decodeTimeCursor, encodeTimeCursor, isUuid } from '../shared/time-cursor';

/** Imports as `GET /api/v1/imports` shows them; a page is three statements whatever its length. */
@Injectable()
export class ImportsService {
  constructor(
    @Inject(ImportsRepository) private readonly imports: ImportsRepository,
    @Inject(ReplicasRepository) private readonly replicas: ReplicasRepository,
  ) {}

  async get(importId: string): Promise<ImportView> {
    const row = await this.imports.get(importId);
    if (!row) {
      throw new ApiError('NotFound', `no import ${importId}`);
    }
    const [view] = await this.views([row]);
    return view;
  }

  async findBySha256(sha256: string): Promise<ImportView | null> {
    const row = await this.imports.bySha256(sha256);
    return row ? (await this.views([row]))[0] : null;
  }

  /** Newest first; the cursor is the last item's (created_at, id), to the microsecond. */
  async list(limit: number, cursor?: string): Promise<Page<ImportView>> {
    // The microsecond cursor of decision 29: a forged one is a 400 naming `cursor`, never a cast error.
    const after = cursor ? decodeTimeCursor(cursor, isUuid) : null;
    const rows = await this.imports.page(after, limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: await this.views(page),
      nextCursor: rows.length > limit && last ? encodeTimeCursor({ micros: last.created_micros, id: last.id }) : null,
    };
  }

  /** With their updates and, for each active node, how many of their files its replica store holds. */
  private async views(rows: ImportRow[]): Promise<ImportView[]> {
    const ids = rows.map((row) => row.id);
    const [updates, coverage] = await Promise.all([this.imports.updatesOf(ids), this.replicas.coverageByImport(ids)]);
    return rows.map((row) => {
      const nodes = coverage.get(row.id)!;
      return {
        importId: row.id,
        sha256: row.package_sha256,
        fileName: row.file_name,
        status: row.status,
        error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
        updates: updates.get(row.id)!,
        replication: { state: Object.values(nodes).every((node) => node.missing === 0) ? 'complete' : 'pending', nodes },
        createdAt: row.created_at.toISOString(),
        finishedAt: row.finished_at?.toISOString() ?? null,
      };
    });
  }
}
