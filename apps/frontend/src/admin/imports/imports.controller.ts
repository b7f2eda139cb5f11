import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { importParams, pageQuery } from '@ucupdates/admin-api/input';
import { type ImportView, ROUTES } from '@ucupdates/admin-api';
import { Role } from '@ucupdates/database';
import { RequireRole } from '../../auth/roles';
import { parseInput } from '../shared/request-input';
import { ImportsService } from './imports.service';
import { ApiTags } from '@nestjs/swagger';
import { ApiQueryOf } from '../../docs/api-schema';

@Controller()
@ApiTags('imports')
@RequireRole(Role.Viewer)
export class ImportsController {
  constructor(@Inject(ImportsService) private readonly imports: ImportsService) {}

  @Get(ROUTES.imports)
  @ApiQueryOf(pageQuery)
  list(@Query() query: unknown) {
    const { limit, cursor } = parseInput(pageQuery, query);
    return this.imports.list(limit, cursor);
  }

  @Get(ROUTES.import)
  get(@Param() params: unknown): Promise<ImportView> {
    return this.imports.get(parseInput(importParams, params).importId);
  }
}
