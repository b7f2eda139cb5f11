import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, Put, Query } from '@nestjs/common';
import { configurationChanges, pageQuery, scopeParams } from '@ucupdates/admin-api/input';
import { type ConfigurationView, type Page, ROUTES } from '@ucupdates/admin-api';
import { Role } from '@ucupdates/database';
import { type AdminPrincipal, Principal } from '../../auth/admin-principal';
import { RequireRole } from '../../auth/roles';
import { parseInput } from '../shared/request-input';
import { ConfigurationService } from './configuration.service';
import { ApiTags } from '@nestjs/swagger';
import { ApiJsonBody, ApiQueryOf } from '../../docs/api-schema';

@Controller()
@ApiTags('configuration')
@RequireRole(Role.Viewer)
export class ConfigurationController {
  constructor(@Inject(ConfigurationService) private readonly configurations: ConfigurationService) {}

  @Get(ROUTES.configurations)
  @ApiQueryOf(pageQuery)
  async list(@Query() query: unknown): Promise<Page<ConfigurationView>> {
    parseInput(pageQuery, query); // one page whatever the limit; an unknown field is still refused
    return { items: await this.configurations.list(), nextCursor: null };
  }

  /** The configuration in force on this pool: its site's (UCU_SITE) if set, else the global one. */
  @Get(ROUTES.configurationEffective)
  effective(): Promise<ConfigurationView> {
    return this.configurations.effective();
  }

  @Get(ROUTES.configuration)
  get(@Param() params: unknown): Promise<ConfigurationView> {
    return this.configurations.get(parseInput(scopeParams, params).scope);
  }

  @Put(ROUTES.configuration)
  @RequireRole(Role.Admin)
  @ApiJsonBody(configurationChanges)
  set(@Param() params: unknown, @Body() body: unknown, @Principal() principal: AdminPrincipal): Promise<ConfigurationView> {
    return this.configurations.set(parseInput(scopeParams, params).scope, parseInput(configurationChanges, body), principal);
  }

  /** A site scope goes; the global one goes back to Lync's defaults. */
  @Delete(ROUTES.configuration)
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequireRole(Role.Admin)
  async remove(@Param() params: unknown, @Principal() principal: AdminPrincipal): Promise<void> {
    await this.configurations.remove(parseInput(scopeParams, params).scope, principal);
  }
}
