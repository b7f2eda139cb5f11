import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { type DeviceLogView, ROUTES } from '@ucupdates/admin-api';
import { Role } from '@ucupdates/database';
import { normaliseMac, RuleError } from '@ucupdates/rules';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { RequireRole } from '../../auth/roles';
import { attachmentDisposition } from '../../devices/logs/device-log-names';
import { ApiQueryOf } from '../../docs/api-schema';
import { pageQuery } from '../pagination';
import { parseInput } from '../request-input';
import { DeviceLogsService } from './device-logs.service';

/** Any MAC form a person types (`00:04:f2:ab:cd:ef`, `0004F2ABCDEF`), matched in the form rows hold. */
const macAddress = z
  .string()
  .max(64)
  .transform((text, context) => {
    try {
      return normaliseMac(text.trim());
    } catch (error) {
      if (!(error instanceof RuleError)) {
        throw error;
      }
      context.addIssue({ code: 'custom', message: `is not a MAC address (${error.message})` });
      return z.NEVER;
    }
  });

const listQuery = pageQuery.extend({
  macAddress: macAddress.optional().describe("the device's MAC address, in any of its forms"),
  serialNumber: z.string().min(1).max(128).optional().describe("the device's serial number, exactly"),
  deviceType: z.string().min(1).max(64).optional().describe('the device type (X-UC-DeviceType), case-insensitive'),
  logType: z.string().min(1).max(64).optional().describe('Watson, CELog, … (case-insensitive)'),
  since: z.iso.datetime({ offset: true }).optional().describe('uploaded at or after this time (ISO 8601 with its offset)'),
  until: z.iso.datetime({ offset: true }).optional().describe('uploaded before this time'),
});

const params = z.object({ id: z.uuid() });

/** `GET /api/v1/device-logs…`: the logs phones uploaded, their metadata and their bytes. */
@Controller()
@ApiTags('device logs')
@RequireRole(Role.Viewer)
export class DeviceLogsController {
  constructor(@Inject(DeviceLogsService) private readonly logs: DeviceLogsService) {}

  @Get(ROUTES.deviceLogs)
  @ApiOperation({ summary: 'The uploaded device logs, newest first', description: 'Filters combine; `since` is inclusive, `until` exclusive.' })
  @ApiQueryOf(listQuery)
  list(@Query() query: unknown) {
    const { limit, cursor, ...filters } = parseInput(listQuery, query);
    return this.logs.list(filters, limit, cursor);
  }

  @Get(ROUTES.deviceLog)
  @ApiOperation({ summary: "A log's metadata: the device, its type, file name, size, SHA-256, when and through which node" })
  get(@Param() path: unknown): Promise<DeviceLogView> {
    return this.logs.get(parseInput(params, path).id);
  }

  @Get(ROUTES.deviceLogContent)
  @ApiOperation({ summary: 'The log file itself, as the device uploaded it' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'the bytes; `Content-Disposition: attachment` names the file', schema: { type: 'string', format: 'binary' } })
  async content(@Param() path: unknown, @Res() reply: FastifyReply): Promise<void> {
    const { log, body } = await this.logs.content(parseInput(params, path).id);
    // The body is the device's, never interpreted: a browser must neither sniff nor render it.
    void reply
      .header('Content-Type', 'application/octet-stream')
      .header('Content-Length', String(log.size))
      .header('Content-Disposition', attachmentDisposition(log.fileName))
      .header('ETag', `"${log.sha256}"`)
      .header('X-Content-Type-Options', 'nosniff')
      .send(body);
  }
}
