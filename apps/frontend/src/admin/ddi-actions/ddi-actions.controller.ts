import { Controller, Get, HttpCode, HttpStatus, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ROUTES } from '@ucupdates/admin-api';
import { ddiActionListQuery, ddiActionParams } from '@ucupdates/admin-api/input';
import { Role } from '@ucupdates/database';
import { type AdminPrincipal, Principal } from '../../auth/admin-principal';
import { RequireRole } from '../../auth/roles';
import { ApiQueryOf } from '../../docs/api-schema';
import { parseInput } from '../shared/request-input';
import { DdiActionsService } from './ddi-actions.service';

/** DDI actions (ddi.md, "Administration"): everyone reads them; operators retry a failed one. */
@Controller()
@ApiTags('DDI actions')
@RequireRole(Role.Viewer)
export class DdiActionsController {
  constructor(@Inject(DdiActionsService) private readonly actions: DdiActionsService) {}

  @Get(ROUTES.ddiActions)
  @ApiQueryOf(ddiActionListQuery)
  list(@Query() query: unknown) {
    const { limit, cursor, ...filter } = parseInput(ddiActionListQuery, query);
    return this.actions.list(filter, limit, cursor);
  }

  /** A failed action's version may be offered to its device again: its next poll opens a new action. */
  @Post(ROUTES.ddiActionRetry)
  @HttpCode(HttpStatus.OK)
  @RequireRole(Role.Operator)
  retry(@Param() params: unknown, @Principal() principal: AdminPrincipal) {
    return this.actions.retry(parseInput(ddiActionParams, params).id, principal);
  }
}
