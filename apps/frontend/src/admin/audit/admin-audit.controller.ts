import { Controller, Get, Inject, Query } from '@nestjs/common';
import { Role } from '@ucupdates/database';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { RequireRole } from '../../auth/roles';
import { badCursor, decodeCursor, encodeCursor, pageQuery } from '../pagination';
import { parseInput } from '../request-input';
import { ApiTags } from '@nestjs/swagger';
import { ApiQueryOf } from '../../docs/api-schema';

const auditQuery = pageQuery.extend({
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  actor: z.string().min(1).max(128).optional(),
  action: z.string().min(1).max(64).optional(),
  target: z.string().min(1).max(200).optional(),
});

interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  role: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  node_id: string;
}

/** `GET /api/v1/audit/admin`: the administrative changes, newest first. */
@Controller('api/v1/audit/admin')
@ApiTags('audit')
@RequireRole(Role.Viewer)
export class AdminAuditController {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  @Get()
  @ApiQueryOf(auditQuery)
  async list(@Query() query: unknown) {
    const filters = parseInput(auditQuery, query);
    let beforeId: string | null = null;
    if (filters.cursor) {
      [beforeId] = decodeCursor(filters.cursor, 1);
      if (!/^\d+$/.test(beforeId)) {
        throw badCursor();
      }
    }
    // Served by admin_audit's primary key and at index; every filter is optional.
    const rows = await this.dataSource.query<AuditRow[]>(
      `SELECT * FROM admin_audit
        WHERE ($1::bigint IS NULL OR id < $1)
          AND ($2::timestamptz IS NULL OR at >= $2) AND ($3::timestamptz IS NULL OR at < $3)
          AND ($4::text IS NULL OR actor = $4) AND ($5::text IS NULL OR action = $5) AND ($6::text IS NULL OR target = $6)
        ORDER BY id DESC LIMIT $7`,
      [beforeId, filters.since ?? null, filters.until ?? null, filters.actor ?? null, filters.action ?? null, filters.target ?? null, filters.limit + 1],
    );
    const page = rows.slice(0, filters.limit);
    return {
      items: page.map((row) => ({
        at: row.at.toISOString(),
        actor: row.actor,
        role: row.role,
        action: row.action,
        target: row.target,
        before: row.before,
        after: row.after,
        nodeId: row.node_id,
      })),
      nextCursor: rows.length > filters.limit ? encodeCursor([page.at(-1)!.id]) : null,
    };
  }
}
