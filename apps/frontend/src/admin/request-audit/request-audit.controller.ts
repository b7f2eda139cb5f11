import { Readable } from 'node:stream';
import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Role } from '@ucupdates/database';
import { normaliseMac, type RuleError } from '@ucupdates/rules';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { RequireRole } from '../../auth/roles';
import { ApiQueryOf } from '../../docs/api-schema';
import { pageQuery } from '../pagination';
import { parseInput } from '../request-input';
import { RequestAuditService } from './request-audit.service';

/** Any MAC form a person types (`00:04:f2:ab:cd:ef`, `0004F2ABCDEF`), matched in the form rows hold. */
const macAddress = z
  .string()
  .max(64)
  .transform((text, context) => {
    try {
      return normaliseMac(text.trim());
    } catch (error) {
      context.addIssue({ code: 'custom', message: `is not a MAC address (${(error as RuleError).message})` });
      return z.NEVER;
    }
  });

const listQuery = pageQuery.extend({
  since: z.iso.datetime({ offset: true }).optional().describe('checks at or after this time (ISO 8601 with its offset)'),
  until: z.iso.datetime({ offset: true }).optional().describe('checks before this time'),
  macAddress: macAddress.optional().describe('the device\'s MAC address, in any of its forms'),
  serialNumber: z.string().min(1).max(128).optional().describe('the device\'s serial number, exactly'),
  nodeId: z.string().min(1).max(63).optional().describe('the node that answered'),
});

const exportQuery = z.object({
  date: z.iso.date().describe('the day, in UTC: YYYY-MM-DD'),
});

const EXPORT_DESCRIPTION = [
  "That day's (UTC) request audit as a text file in the layout of Lync's `RequestHandlerAuditLog_<server>_<date>.log`,",
  'oldest first, streamed, no header line. One line per update check, ending in `\\n`; fields separated by `;` in this order:',
  'time (ISO 8601, UTC), client address, device type, MAC address, serial number, vendor, model, revision, locale,',
  'request modules, response modules, user id (Lync\'s twelve fields), then `internal`|`external`, the answer\'s HTTP status and the node id.',
  'Modules are separated by `#`, a module\'s own fields by `,`: a request module is `filename,version,timestamp`,',
  'a response module `filename,signatureFilename,version,timestamp`. A missing value is empty.',
  'In every value `%`, `;`, `#`, `,` and control or line-breaking characters are written as `%XX` (their UTF-8 bytes,',
  'as in a URL): split first, then `decodeURIComponent` each value. A day without checks is an empty file.',
].join(' ');

/** `GET /api/v1/audit/requests`: one entry per answered update check, the fields of Lync's audit log. */
@Controller('api/v1/audit/requests')
@ApiTags('audit')
@RequireRole(Role.Viewer)
export class RequestAuditController {
  constructor(@Inject(RequestAuditService) private readonly audit: RequestAuditService) {}

  @Get()
  @ApiOperation({
    summary: 'The request audit, newest first',
    description: 'One entry per answered update check. Filters combine; `since` is inclusive, `until` exclusive.',
  })
  @ApiQueryOf(listQuery)
  list(@Query() query: unknown) {
    const { limit, cursor, ...filters } = parseInput(listQuery, query);
    return this.audit.list(filters, limit, cursor);
  }

  @Get('export')
  @ApiOperation({ summary: "One day's request audit as a file in Lync's layout", description: EXPORT_DESCRIPTION })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'the file, `requests-YYYY-MM-DD.log`', schema: { type: 'string' } })
  @ApiQueryOf(exportQuery)
  async export(@Query() query: unknown, @Res() reply: FastifyReply): Promise<void> {
    const { date } = parseInput(exportQuery, query);
    const lines = this.audit.exportDay(date);
    // The first batch is read before anything is sent, so a failure to read it is an ordinary
    // JSON error. A later failure can only cut the download short: Fastify then destroys the
    // connection, which the client sees as a broken transfer, never as a complete file.
    const first = await lines.next();
    const body = Readable.from(
      (async function* () {
        if (!first.done) {
          yield first.value;
        }
        yield* lines;
      })(),
      { objectMode: false },
    );
    void reply
      .header('Content-Type', 'text/plain; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="requests-${date}.log"`)
      .header('Cache-Control', 'no-store')
      .send(body);
  }
}
