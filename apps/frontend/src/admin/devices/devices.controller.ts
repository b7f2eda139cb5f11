import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  deviceComplianceExportQuery,
  deviceComplianceQuery,
  deviceFilterQuery,
  deviceListQuery,
  idParams,
} from '@ucupdates/admin-api/input';
import { type DeviceSummaryView, type DeviceView, ROUTES } from '@ucupdates/admin-api';
import { Role } from '@ucupdates/database';
import type { FastifyReply } from 'fastify';
import { RequireRole } from '../../auth/roles';
import { ApiQueryOf } from '../../docs/api-schema';
import { sendCsv } from '../shared/csv-download';
import { parseInput } from '../shared/request-input';
import { DevicesService } from './devices.service';
import { COMPLIANCE_COLUMNS, INVENTORY_COLUMNS, inventoryFileName } from './inventory-csv';

const CSV_DIALECT =
  "Comma-separated values (RFC 4180 quoting, CRLF line ends, UTF-8) with a header row; modules are `UpdateType;Version` joined by `#` (`%`, `;` and `#` within them written as `%XX`). A cell that would start with `=`, `+`, `-`, `@`, a tab or a CR gets a leading `'`, as in the request audit export. Streamed, most recently seen first.";

/** `GET /api/v1/devices`: the inventory of the devices that checked for updates, counted, checked against the rules, exported. */
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

  @Get(ROUTES.devicesSummary)
  @ApiOperation({
    summary: 'The inventory counted: per brand, model, revision, locale, update type and version, and per rule',
    description:
      'True totals of the devices the filters match, counted by the database: a device once per field, once per module for update types and versions; per rule, how many devices of its kind run its approved version, its pending one, another one or none, and how many are test devices.',
  })
  @ApiQueryOf(deviceFilterQuery)
  summary(@Query() query: unknown): Promise<DeviceSummaryView> {
    return this.devices.summary(parseInput(deviceFilterQuery, query));
  }

  @Get(ROUTES.devicesCompliance)
  @ApiOperation({
    summary: 'The devices not on the version their rules offer them, most recently seen first',
    description:
      "A device whose module of a rule's update type is not the version the rule offers it (the approved one; for a test device the pending one when there is one), or that reports none; with each rule it is behind on. Versions compare as the update check compares them.",
  })
  @ApiQueryOf(deviceComplianceQuery)
  compliance(@Query() query: unknown) {
    const { limit, cursor, ...filters } = parseInput(deviceComplianceQuery, query);
    return this.devices.compliance(filters, limit, cursor);
  }

  @Get(ROUTES.devicesExport)
  @ApiOperation({
    summary: 'The device inventory as CSV',
    description: `The columns ${INVENTORY_COLUMNS.map((name) => `\`${name}\``).join(', ')}. ${CSV_DIALECT}`,
  })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'the file, `ucupdates-inventory-<yyyymmdd>.csv`', schema: { type: 'string' } })
  @ApiQueryOf(deviceFilterQuery)
  async export(@Query() query: unknown, @Res() reply: FastifyReply): Promise<void> {
    const filters = parseInput(deviceFilterQuery, query);
    await sendCsv(reply, inventoryFileName('inventory', new Date()), this.devices.exportInventory(filters));
  }

  @Get(ROUTES.devicesComplianceExport)
  @ApiOperation({
    summary: 'The devices not on the version their rules offer them, as CSV',
    description: `One row per rule a device is behind on: the columns ${COMPLIANCE_COLUMNS.map((name) => `\`${name}\``).join(', ')} (\`Installed Version\` empty for none). ${CSV_DIALECT}`,
  })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'the file, `ucupdates-compliance-<yyyymmdd>.csv`', schema: { type: 'string' } })
  @ApiQueryOf(deviceComplianceExportQuery)
  async exportCompliance(@Query() query: unknown, @Res() reply: FastifyReply): Promise<void> {
    const filters = parseInput(deviceComplianceExportQuery, query);
    await sendCsv(reply, inventoryFileName('compliance', new Date()), this.devices.exportCompliance(filters));
  }

  @Get(ROUTES.device)
  @ApiOperation({ summary: 'One device of the inventory' })
  get(@Param() params: unknown): Promise<DeviceView> {
    return this.devices.get(parseInput(idParams, params).id);
  }
}
