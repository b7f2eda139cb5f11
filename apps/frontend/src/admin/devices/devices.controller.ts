import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { deviceListQuery, idParams } from '@ucupdates/admin-api/input';
import { type DeviceView, ROUTES } from '@ucupdates/admin-api';
import { Role } from '@ucupdates/database';
import { RequireRole } from '../../auth/roles';
import { ApiQueryOf } from '../../docs/api-schema';
import { parseInput } from '../shared/request-input';
import { DevicesService } from './devices.service';

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
  @ApiQueryOf(deviceListQuery)
  list(@Query() query: unknown) {
    const { limit, cursor, ...filters } = parseInput(deviceListQuery, query);
    return this.devices.list(filters, limit, cursor);
  }

  @Get(ROUTES.device)
  @ApiOperation({ summary: 'One device of the inventory' })
  get(@Param() params: unknown): Promise<DeviceView> {
    return this.devices.get(parseInput(idParams, params).id);
  }
}
