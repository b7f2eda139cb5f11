import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, Post, Query } from '@nestjs/common';
import { createToken, idParams, pageQuery } from '@ucupdates/admin-api/input';
import { ROUTES } from '@ucupdates/admin-api';
import { Role } from '@ucupdates/database';
import { type AdminPrincipal, Principal } from '../../auth/admin-principal';
import { RequireRole } from '../../auth/roles';
import { parseInput } from '../shared/request-input';
import { TokensService } from './tokens.service';
import { ApiTags } from '@nestjs/swagger';
import { ApiJsonBody, ApiQueryOf } from '../../docs/api-schema';

@Controller()
@ApiTags('tokens')
@RequireRole(Role.Admin)
export class TokensController {
  constructor(@Inject(TokensService) private readonly tokens: TokensService) {}

  /** 201 with the token itself: the only time it is shown. */
  @Post(ROUTES.tokens)
  @ApiJsonBody(createToken)
  create(@Body() body: unknown, @Principal() principal: AdminPrincipal) {
    const { name, role } = parseInput(createToken, body);
    return this.tokens.create(name, role, principal);
  }

  @Get(ROUTES.tokens)
  @ApiQueryOf(pageQuery)
  list(@Query() query: unknown) {
    const { limit, cursor } = parseInput(pageQuery, query);
    return this.tokens.list(limit, cursor);
  }

  @Delete(ROUTES.token)
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(@Param() params: unknown, @Principal() principal: AdminPrincipal): Promise<void> {
    await this.tokens.remove(parseInput(idParams, params).id, principal);
  }
}
