import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, Post, Query } from '@nestjs/common';
import { type PhoneUserView, ROUTES } from '@ucupdates/admin-api';
import { Role } from '@ucupdates/database';
import { z } from 'zod';
import { type AdminPrincipal, Principal } from '../../auth/admin-principal';
import { RequireRole } from '../../auth/roles';
import { pageQuery } from '../pagination';
import { parseInput } from '../request-input';
import { PhoneUsersService } from './phone-users.service';
import { ApiTags } from '@nestjs/swagger';
import { ApiJsonBody, ApiQueryOf } from '../../docs/api-schema';

const createPhoneUser = z.strictObject({
  userId: z
    .string()
    .trim()
    .max(256)
    .regex(/^sip:[^@\s:;]+@[A-Za-z0-9.-]+$/i, 'must be a SIP address, such as sip:alice@contoso.com'),
  password: z.string().min(8, 'must be at least 8 characters').max(256),
});

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
  async delete(@Param() params: unknown, @Principal() principal: AdminPrincipal): Promise<void> {
    await this.users.delete(parseInput(z.object({ id: z.uuid() }), params).id, principal);
  }
}
