import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, Post, Query } from '@nestjs/common';
import { createPhoneUser, idParams, pageQuery } from '@ucupdates/admin-api/input';
import { type PhoneUserView, ROUTES } from '@ucupdates/admin-api';
import { Role } from '@ucupdates/database';
import { type AdminPrincipal, Principal } from '../../auth/admin-principal';
import { RequireRole } from '../../auth/roles';
import { parseInput } from '../shared/request-input';
import { PhoneUsersService } from './phone-users.service';
import { ApiTags } from '@nestjs/swagger';
import { ApiJsonBody, ApiQueryOf } from '../../docs/api-schema';

/** The built-in phone directory (labs and tests; LDAP in production). Passwords are never shown. */
@Controller()
@ApiTags('phone users')
@RequireRole(Role.Viewer)
export class PhoneUsersController {
  constructor(@Inject(PhoneUsersService) private readonly users: PhoneUsersService) {}

  @Post(ROUTES.phoneUsers)
  @RequireRole(Role.Admin)
  @ApiJsonBody(createPhoneUser)
  create(@Body() body: unknown, @Principal() principal: AdminPrincipal): Promise<PhoneUserView> {
    const { userId, password } = parseInput(createPhoneUser, body);
    return this.users.create(userId, password, principal);
  }

  @Get(ROUTES.phoneUsers)
  @ApiQueryOf(pageQuery)
  list(@Query() query: unknown) {
    const { limit, cursor } = parseInput(pageQuery, query);
    return this.users.list(limit, cursor);
  }

  @Delete(ROUTES.phoneUser)
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequireRole(Role.Admin)
  async remove(@Param() params: unknown, @Principal() principal: AdminPrincipal): Promise<void> {
    await this.users.remove(parseInput(idParams, params).id, principal);
  }
}
