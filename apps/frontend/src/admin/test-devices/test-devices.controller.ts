import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { createTestDevice, idParams, testDeviceListQuery, updateTestDevice } from '@ucupdates/admin-api/input';
import { ROUTES, type TestDeviceView } from '@ucupdates/admin-api';
import { Role } from '@ucupdates/database';
import { type AdminPrincipal, Principal } from '../../auth/admin-principal';
import { RequireRole } from '../../auth/roles';
import { parseInput } from '../shared/request-input';
import { TestDevicesService } from './test-devices.service';
import { ApiTags } from '@nestjs/swagger';
import { ApiJsonBody, ApiQueryOf } from '../../docs/api-schema';

@Controller()
@ApiTags('test devices')
@RequireRole(Role.Viewer)
export class TestDevicesController {
  constructor(@Inject(TestDevicesService) private readonly devices: TestDevicesService) {}

  @Post(ROUTES.testDevices)
  @RequireRole(Role.Operator)
  @ApiJsonBody(createTestDevice)
  create(@Body() body: unknown, @Principal() principal: AdminPrincipal): Promise<TestDeviceView> {
    return this.devices.create(parseInput(createTestDevice, body), principal);
  }

  @Get(ROUTES.testDevices)
  @ApiQueryOf(testDeviceListQuery)
  list(@Query() query: unknown) {
    const { limit, cursor, scope: inScope } = parseInput(testDeviceListQuery, query);
    return this.devices.list(inScope, limit, cursor);
  }

  @Get(ROUTES.testDevice)
  get(@Param() id: unknown): Promise<TestDeviceView> {
    return this.devices.get(parseInput(idParams, id).id);
  }

  @Patch(ROUTES.testDevice)
  @RequireRole(Role.Operator)
  @ApiJsonBody(updateTestDevice)
  update(@Param() id: unknown, @Body() body: unknown, @Principal() principal: AdminPrincipal): Promise<TestDeviceView> {
    return this.devices.update(parseInput(idParams, id).id, parseInput(updateTestDevice, body), principal);
  }

  @Delete(ROUTES.testDevice)
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequireRole(Role.Operator)
  async remove(@Param() id: unknown, @Principal() principal: AdminPrincipal): Promise<void> {
    await this.devices.remove(parseInput(idParams, id).id, principal);
  }
}
