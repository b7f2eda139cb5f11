import { Controller, Get, Inject, Query } from '@nestjs/common';
import { adminAuditListQuery } from '@ucupdates/admin-api/input';
import { type AdminAuditView, type Page, ROUTES } from '@ucupdates/admin-api';
import { AdminAuditRepository, Role } from '@ucupdates/database';
import { RequireRole } from '../../auth/roles';
import { badCursor, decodeCursor, encodeCursor } from '../shared/pagination';
import { parseInput } from '../shared/request-input';
import { ApiTags } from '@nestjs/swagger';
import { ApiQueryOf } from '../../docs/api-schema';

/** `GET /api/v1/audit/admin`: the administrative changes, newest first. */
@Controller()
@ApiTags('audit')
@RequireRole(Role.Viewer)
export class AdminAuditController {
  constructor(@Inject(AdminAuditRepository) private readonly audit: AdminAuditRepository) {}

  @Get(ROUTES.adminAudit)
  @ApiQueryOf(adminAuditListQuery)
  async list(@Query() query: unknown): Promise<Page<AdminAuditView>> {
    const filters = parseInput(adminAuditListQuery, query);
    let beforeId: string | null = null;
    if (filters.cursor) {
      [beforeId] = decodeCursor(filters.cursor, 1);
      if (!/^\d+$/.test(beforeId)) {
        throw badCursor();
      }
    }
    const rows = await this.audit.list(
      {
        beforeId,
        since: filters.since ?? null,
        until: filters.until ?? null,
        actor: filters.actor ?? null,
        action: filters.action ?? null,
        target: filters.target ?? null,
        subject: filters.subject ?? null,
      },
      filters.limit + 1,
    );
    const page = rows.slice(0, filters.limit);
    return {
      items: page.map((row) => ({
        at: row.at.toISOString(),
        actor: row.actor,
        role: row.role,
        action: row.action,
        target: row.target,
        subject: row.subject,
        before: row.before,
        after: row.after,
        nodeId: row.nodeId,
      })),
      nextCursor: rows.length > filters.limit ? encodeCursor([page.at(-1)!.id]) : null,
    };
  }
}
