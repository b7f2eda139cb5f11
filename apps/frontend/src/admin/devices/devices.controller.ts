import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type DeviceView, ROUTES } from '@ucupdates/admin-api';
import { Role } from '@ucupdates/database';
import { z } from 'zod';
import { RequireRole } from '../../auth/roles';
import { ApiQueryOf } from '../../docs/api-schema';
import { pageQuery } from '../pagination';
import { parseInput } from '../request-input';
import { DevicesService } from './devices.service';

const listQuery = pageQuery.extend({
  model: z.string().min(1).max(200).optional().describe('the model, compared case-insensitively'),
  brand: z.string().min(1).max(200).optional().describe('the brand (the request\'s Vendor), compared case-insensitively'),
  version: z.string().min(1).max(64).optional().describe('devices with any module at this version, exactly as reported'),
  seenSince: z.iso.datetime({ offset: true }).optional().describe('devices last seen at or after this time (ISO 8601 with its offset)'),
});
const deviceParams = z.object({ id: z.uuid() });

/** `GET /api/v1/devices`: the inventory of the devices that checked for updates. */
@Controller()
@ApiTags('devices')
@RequireRole(Role.Viewer)
export class DevicesController {
  constructor(@Inject(DevicesService) private readonly devices: DevicesService) {}

  @Get(ROUTES.devices)
  @ApiOperation({
    summary: 'The device inventory, most recently seen first',
    description: 'One entry per device (by MAC address, else serial number), with the modules it last reported.',
  })
  @ApiQueryOf(listQuery)
  list(@Query() query: unknown) {
    const { limit, cursor, ...filters } = parseInput(listQuery, query);
    return this.devices.list(filters, limit, cursor);
  }

  @Get(ROUTES.device)
  @ApiOperation({ summary: 'One device of the inventory' })
  get(@Param() params: unknown): Promise<DeviceView> {
    return this.devices.get(parseInput(deviceParams, params).id);
  }
}
