import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { Role } from '@ucupdates/database';
import { z } from 'zod';
import { RequireRole } from '../../auth/roles';
import { pageQuery } from '../pagination';
import { parseInput } from '../request-input';
import { type ImportView, ImportsService } from './imports.service';
import { ApiTags } from '@nestjs/swagger';
import { ApiQueryOf } from '../../docs/api-schema';

@Controller('api/v1/imports')
@ApiTags('imports')
@RequireRole(Role.Viewer)
export class ImportsController {
  constructor(@Inject(ImportsService) private readonly imports: ImportsService) {}

  @Get()
  @ApiQueryOf(pageQuery)
  list(@Query() query: unknown) {
    const { limit, cursor } = parseInput(pageQuery, query);
    return this.imports.list(limit, cursor);
  }

  @Get(':importId')
  get(@Param() params: unknown): Promise<ImportView> {
    return this.imports.get(parseInput(z.object({ importId: z.uuid() }), params).importId);
  }
}
