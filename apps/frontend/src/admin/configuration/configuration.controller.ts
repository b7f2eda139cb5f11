import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, Put } from '@nestjs/common';
import { type ConfigurationView, type Page, ROUTES } from '@ucupdates/admin-api';
import { Role } from '@ucupdates/database';
import { formatTimeSpan, parseTimeSpan, RANGES } from '@ucupdates/device-config';
import { z } from 'zod';
import { type AdminPrincipal, Principal } from '../../auth/admin-principal';
import { RequireRole } from '../../auth/roles';
import { parseInput } from '../request-input';
import { scope } from '../scope';
import { ConfigurationService } from './configuration.service';
import { ApiTags } from '@nestjs/swagger';
import { ApiJsonBody } from '../../docs/api-schema';

/** A TimeSpan text within a range, as seconds. */
const timeSpan = (range: { min: number; max: number }) =>
  z.string().transform((text, context) => {
    const seconds = parseTimeSpan(text);
    if (seconds === null || seconds < range.min || seconds > range.max) {
      context.addIssue({
        code: 'custom',
        message: `must be a time span (d.hh:mm:ss) from ${formatTimeSpan(range.min)} to ${formatTimeSpan(range.max)}`,
      });
      return z.NEVER;
    }
    return seconds;
  });

const changes = z
  .strictObject({
    logCleanUpInterval: timeSpan(RANGES.logCleanUpIntervalSeconds).optional(),
    logFlushInterval: timeSpan(RANGES.logFlushIntervalSeconds).optional(),
    maxLogCacheLimit: z.number().int().min(1).max(1e12).optional(),
    maxLogFileSize: z.number().int().min(1).max(1e12).optional(),
    logCleanUpTimeOfDay: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day, HH:MM')
      .nullable()
      .optional(),
    validLogFileTypes: z.array(z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be a log type name')).min(1).max(32).optional(),
    validLogFileExtensions: z
      .array(z.string().regex(/^\.[A-Za-z0-9]{1,16}$/, 'must be an extension such as ".txt"').toLowerCase())
      .min(1)
      .max(64)
      .optional(),
  })
  .transform(({ logCleanUpInterval, logFlushInterval, ...rest }) => ({
    ...rest,
    ...(logCleanUpInterval === undefined ? {} : { logCleanUpIntervalSeconds: logCleanUpInterval }),
    ...(logFlushInterval === undefined ? {} : { logFlushIntervalSeconds: logFlushInterval }),
  }));

const scopeParams = z.object({ scope });

@Controller()
@ApiTags('configuration')
@RequireRole(Role.Viewer)
export class ConfigurationController {
  constructor(@Inject(ConfigurationService) private readonly configurations: ConfigurationService) {}

  @Get(ROUTES.configurations)
  async list(): Promise<Page<ConfigurationView>> {
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
  @ApiJsonBody(changes)
  set(@Param() params: unknown, @Body() body: unknown, @Principal() principal: AdminPrincipal): Promise<ConfigurationView> {
    return this.configurations.set(parseInput(scopeParams, params).scope, parseInput(changes, body), principal);
  }

  /** A site scope goes; the global one goes back to Lync's defaults. */
  @Delete(ROUTES.configuration)
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequireRole(Role.Admin)
  async remove(@Param() params: unknown, @Principal() principal: AdminPrincipal): Promise<void> {
    await this.configurations.remove(parseInput(scopeParams, params).scope, principal);
  }
}
