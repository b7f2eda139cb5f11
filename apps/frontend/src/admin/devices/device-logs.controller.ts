import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { deviceLogListQuery, idParams } from '@ucupdates/admin-api/input';
import { type DeviceLogView, ROUTES } from '@ucupdates/admin-api';
import { Role } from '@ucupdates/database';
import type { FastifyReply } from 'fastify';
import { RequireRole } from '../../auth/roles';
import { attachmentDisposition } from '../../devices/logs/device-log-names';
import { ApiQueryOf } from '../../docs/api-schema';
import { parseInput } from '../shared/request-input';
import { DeviceLogsService } from './device-logs.service';

/** `GET /api/v1/device-logs…`: the logs phones uploaded, their metadata and their bytes. */
@Controller()
@ApiTags('device logs')
@RequireRole(Role.Viewer)
export class DeviceLogsController {
  constructor(@Inject(DeviceLogsService) private readonly logs: DeviceLogsService) {}

  @Get(ROUTES.deviceLogs)
  @ApiOperation({ summary: 'The uploaded device logs, newest first', description: 'Filters combine; `since` is inclusive, `until` exclusive.' })
  @ApiQueryOf(deviceLogListQuery)
  list(@Query() query: unknown) {
    const { limit, cursor, ...filters } = parseInput(deviceLogListQuery, query);
    return this.logs.list(filters, limit, cursor);
  }

  @Get(ROUTES.deviceLog)
  @ApiOperation({ summary: "A log's metadata: the device, its type, file name, size, SHA-256, when and through which node" })
  get(@Param() path: unknown): Promise<DeviceLogView> {
    return this.logs.get(parseInput(idParams, path).id);
  }

  @Get(ROUTES.deviceLogContent)
  @ApiOperation({ summary: 'The log file itself, as the device uploaded it' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'the bytes; `Content-Disposition: attachment` names the file', schema: { type: 'string', format: 'binary' } })
  async content(@Param() path: unknown, @Res() reply: FastifyReply): Promise<void> {
    const { log, body } = await this.logs.content(parseInput(idParams, path).id);
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
