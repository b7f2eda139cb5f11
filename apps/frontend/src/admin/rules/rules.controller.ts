import { Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, Post, Query } from '@nestjs/common';
import { forceQuery, idParams, ruleListQuery } from '@ucupdates/admin-api/input';
import { ROUTES, type RuleView } from '@ucupdates/admin-api';
import { Role } from '@ucupdates/database';
import { type AdminPrincipal, Principal } from '../../auth/admin-principal';
import { RequireRole } from '../../auth/roles';
import { parseInput } from '../shared/request-input';
import { RulesService } from './rules.service';
import { ApiTags } from '@nestjs/swagger';
import { ApiQueryOf } from '../../docs/api-schema';

/** Lync's Get-, Approve-, Reset-, Restore- and Remove-CsDeviceUpdateRule. */
@Controller()
@ApiTags('rules')
@RequireRole(Role.Viewer)
export class RulesController {
  constructor(@Inject(RulesService) private readonly rules: RulesService) {}

  @Get(ROUTES.rules)
  @ApiQueryOf(ruleListQuery)
  list(@Query() query: unknown) {
    const { limit, cursor, ...filters } = parseInput(ruleListQuery, query);
    return this.rules.list(filters, limit, cursor);
  }

  @Get(ROUTES.rule)
  get(@Param() params: unknown): Promise<RuleView> {
    return this.rules.get(parseInput(idParams, params).id);
  }

  /**
   * Pending becomes approved; the approved version becomes the restore version. Refused 409
   * NotReplicated while an active node lacks a file of the pending version, unless `?force=true`.
   */
  @Post(ROUTES.ruleApprove)
  @HttpCode(HttpStatus.OK)
  @RequireRole(Role.Operator)
  @ApiQueryOf(forceQuery)
  approve(@Param() params: unknown, @Query() query: unknown, @Principal() principal: AdminPrincipal): Promise<RuleView> {
    const { force } = parseInput(forceQuery, query);
    return this.rules.change(parseInput(idParams, params).id, 'approve', principal, { force });
  }

  /** Cancels the pending version: test devices go back to the approved one. */
  @Post(ROUTES.ruleReset)
  @HttpCode(HttpStatus.OK)
  @RequireRole(Role.Operator)
  reset(@Param() params: unknown, @Principal() principal: AdminPrincipal): Promise<RuleView> {
    return this.rules.change(parseInput(idParams, params).id, 'reset', principal);
  }

  /** Rolls back: the approved version becomes the restore version (or none). */
  @Post(ROUTES.ruleRestore)
  @HttpCode(HttpStatus.OK)
  @RequireRole(Role.Operator)
  restore(@Param() params: unknown, @Principal() principal: AdminPrincipal): Promise<RuleView> {
    return this.rules.change(parseInput(idParams, params).id, 'restore', principal);
  }

  @Delete(ROUTES.rule)
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequireRole(Role.Operator)
  async remove(@Param() params: unknown, @Principal() principal: AdminPrincipal): Promise<void> {
    await this.rules.remove(parseInput(idParams, params).id, principal);
  }
}
