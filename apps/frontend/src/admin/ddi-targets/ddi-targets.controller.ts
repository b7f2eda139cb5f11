import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ROUTES } from '@ucupdates/admin-api';
import { createDdiTarget, ddiTargetListQuery, ddiTargetParams } from '@ucupdates/admin-api/input';
import { Role } from '@ucupdates/database';
import { type AdminPrincipal, Principal } from '../../auth/admin-principal';
import { RequireRole } from '../../auth/roles';
import { ApiJsonBody, ApiQueryOf } from '../../docs/api-schema';
import { parseInput } from '../shared/request-input';
import { DdiTargetsService } from './ddi-targets.service';

/** DDI targets (ddi.md, "Administration"): operators register devices and issue their tokens; everyone reads. */
@Controller()
@ApiTags('DDI targets')
@RequireRole(Role.Viewer)
export class DdiTargetsController {
  constructor(@Inject(DdiTargetsService) private readonly targets: DdiTargetsService) {}

  /** 201 with the target token itself: the only time it is shown. An existing controller id is 409. */
  @Post(ROUTES.ddiTargets)
  @RequireRole(Role.Operator)
  @ApiJsonBody(createDdiTarget)
  create(@Body() body: unknown, @Principal() principal: AdminPrincipal) {
    const { controllerId, attributes } = parseInput(createDdiTarget, body);
    return this.targets.create(controllerId, attributes, principal);
  }

  @Get(ROUTES.ddiTargets)
  @ApiQueryOf(ddiTargetListQuery)
  list(@Query() query: unknown) {
    const { limit, cursor, ...filter } = parseInput(ddiTargetListQuery, query);
    return this.targets.list(filter, limit, cursor);
  }

  @Get(ROUTES.ddiTarget)
  get(@Param() params: unknown) {
    return this.targets.get(parseInput(ddiTargetParams, params).controllerId);
  }

  /** A new target token, shown this once; the old one stops working. */
  @Post(ROUTES.ddiTargetToken)
  @HttpCode(HttpStatus.OK)
  @RequireRole(Role.Operator)
  issueToken(@Param() params: unknown, @Principal() principal: AdminPrincipal) {
    return this.targets.issueToken(parseInput(ddiTargetParams, params).controllerId, principal);
  }

  @Delete(ROUTES.ddiTarget)
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequireRole(Role.Operator)
  async delete(@Param() params: unknown, @Principal() principal: AdminPrincipal): Promise<void> {
    await this.targets.delete(parseInput(ddiTargetParams, params).controllerId, principal);
  }
}
