import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { requestAuditExportQuery, requestAuditListQuery } from '@ucupdates/admin-api/input';
import { ROUTES } from '@ucupdates/admin-api';
import { Role } from '@ucupdates/database';
import type { FastifyReply } from 'fastify';
import { RequireRole } from '../../auth/roles';
import { ApiQueryOf } from '../../docs/api-schema';
import { sendCsv } from '../shared/csv-download';
import { parseInput } from '../shared/request-input';
import { AUDIT_LOG_COLUMNS, auditLogFileName } from '../../devices/request-audit/audit-log-format';
import { RequestAuditService } from './request-audit.service';

const EXPORT_DESCRIPTION = [
  "That day's (UTC) request audit as the file a Lync server writes, `RequestHandlerAuditLog_<node>_<yyyymmdd>.log`",
  '(`pool` in place of the node when the export covers every node), oldest first, streamed.',
  'Comma-separated values (RFC 4180 quoting, CRLF line ends, UTF-8), a header row, then one row per update check with the columns',
  `${AUDIT_LOG_COLUMNS.map((name) => `\`${name}\``).join(', ')}: Lync's twelve, in Lync's order, then ucupdates' own.`,
  'Request modules are `Filename;Version;Timestamp`, response modules `Filename;Signature Filename;Version;Timestamp`, joined by `#`;',
  'within a module `%`, `;`, `#` and control characters are written as `%XX` (`decodeURIComponent` after splitting).',
  'A cell that would start with `=`, `+`, `-`, `@`, a tab or a CR gets a leading `\'`, so a spreadsheet shows it as text.',
  'A day without checks is the header row alone.',
].join(' ');

/** `GET /api/v1/audit/requests`: one entry per answered update check, the fields of Lync's audit log. */
@Controller()
@ApiTags('audit')
@RequireRole(Role.Viewer)
export class RequestAuditController {
  constructor(@Inject(RequestAuditService) private readonly audit: RequestAuditService) {}

  @Get(ROUTES.requestAudit)
  @ApiOperation({
    summary: 'The request audit, newest first',
    description: 'One entry per answered update check. Filters combine; `since` is inclusive, `until` exclusive.',
  })
  @ApiQueryOf(requestAuditListQuery)
  list(@Query() query: unknown) {
    const { limit, cursor, ...filters } = parseInput(requestAuditListQuery, query);
    return this.audit.list(filters, limit, cursor);
  }

  @Get(ROUTES.requestAuditExport)
  @ApiOperation({ summary: "One day's request audit as a file in Lync's layout", description: EXPORT_DESCRIPTION })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'the file, `RequestHandlerAuditLog_<node>_<yyyymmdd>.log`', schema: { type: 'string' } })
  @ApiQueryOf(requestAuditExportQuery)
  async export(@Query() query: unknown, @Res() reply: FastifyReply): Promise<void> {
    const { date, nodeId } = parseInput(requestAuditExportQuery, query);
    await sendCsv(reply, auditLogFileName(nodeId ?? 'pool', date), this.audit.exportDay(date, nodeId ?? null));
  }
}
