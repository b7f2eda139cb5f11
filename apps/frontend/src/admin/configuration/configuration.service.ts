import { Inject, Injectable } from '@nestjs/common';
import type { ConfigurationView } from '@ucupdates/admin-api';
import { CONFIG, type Config } from '@ucupdates/config';
import { ConfigurationRepository } from '@ucupdates/database';
import {
  type DeviceUpdateConfiguration,
  defaultConfiguration,
  effectiveConfiguration,
  formatTimeSpan,
  GLOBAL_SCOPE,
} from '@ucupdates/device-config';
import { QueryFailedError } from 'typeorm';
import type { AdminPrincipal } from '../../auth/admin-principal';
import { ApiError } from '../../errors/api-error';
import { AdminChanges } from '../shared/admin-changes';

export type ConfigurationChanges = Partial<Omit<DeviceUpdateConfiguration, 'scope'>>;

/**
 * Lync's Get-, Set- and Remove-CsDeviceUpdateConfiguration. The global scope always exists (with
 * Lync's defaults until set); removing it resets it to them. Site scopes exist once set.
 */
@Injectable()
export class ConfigurationService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(ConfigurationRepository) private readonly configurations: ConfigurationRepository,
    @Inject(AdminChanges) private readonly changes: AdminChanges,
  ) {}

  async list(): Promise<ConfigurationView[]> {
    const stored = await this.configurations.all();
    const scopes = stored.some((each) => each.scope === GLOBAL_SCOPE) ? stored : [defaultConfiguration(), ...stored];
    return scopes.map(view);
  }

  async effective(): Promise<ConfigurationView> {
    return view(effectiveConfiguration(await this.configurations.all(), this.config.UCU_SITE));
  }

  async get(scope: string): Promise<ConfigurationView> {
    return view(await this.find(this.configurations, scope));
  }

  /** Sets the fields given; the others keep their value (or the default, for a new site scope). */
  /**
   * Sets a scope's configuration. Two first writes of one scope at once (through two nodes) both
   * find no row to lock and both insert: the one that loses the unique key runs again, and then
   * finds the winner's row (and audits it as its `before`).
   */
  async set(scope: string, changes: ConfigurationChanges, principal: AdminPrincipal): Promise<ConfigurationView> {
    try {
      return await this.setOnce(scope, changes, principal);
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') {
        return this.setOnce(scope, changes, principal);
      }
      throw error;
    }
  }

  private setOnce(scope: string, changes: ConfigurationChanges, principal: AdminPrincipal): Promise<ConfigurationView> {
    return this.changes.commit('configuration', async (tx) => {
      const current = await this.find(tx(this.configurations), scope, true).catch((error: unknown) => {
        if (error instanceof ApiError && error.code === 'NotFound') {
          return null;
        }
        throw error;
      });
      const next: DeviceUpdateConfiguration = { ...(current ?? defaultConfiguration(scope)), ...changes, scope };
      await tx(this.configurations).save(next);
      await this.changes.record(tx, principal, {
        action: 'configuration.set',
        target: `configuration/${scope}`,
        subject: scope,
        before: current && { ...view(current) },
        after: { ...view(next) },
      });
      return view(next);
    });
  }

  async remove(scope: string, principal: AdminPrincipal): Promise<void> {
    await this.changes.commit('configuration', async (tx) => {
      const current = await this.find(tx(this.configurations), scope, true);
      await tx(this.configurations).remove(scope);
      const action = scope === GLOBAL_SCOPE ? 'configuration.reset' : 'configuration.remove';
      await this.changes.record(tx, principal, {
        action,
        target: `configuration/${scope}`,
        subject: scope,
        before: { ...view(current) },
        after: scope === GLOBAL_SCOPE ? { ...view(defaultConfiguration()) } : null,
      });
    });
  }

  private async find(configurations: ConfigurationRepository, scope: string, lock = false): Promise<DeviceUpdateConfiguration> {
    const stored = await configurations.find(scope, lock);
    if (stored) {
      return stored;
    }
    if (scope === GLOBAL_SCOPE) {
      return defaultConfiguration();
    }
    throw new ApiError('NotFound', `no device update configuration for scope ${scope}`);
  }

}

function view(configuration: DeviceUpdateConfiguration): ConfigurationView {
  return {
    scope: configuration.scope,
    logCleanUpInterval: formatTimeSpan(configuration.logCleanUpIntervalSeconds),
    logFlushInterval: formatTimeSpan(configuration.logFlushIntervalSeconds),
    maxLogCacheLimit: configuration.maxLogCacheLimit,
    maxLogFileSize: configuration.maxLogFileSize,
    logCleanUpTimeOfDay: configuration.logCleanUpTimeOfDay,
    validLogFileTypes: configuration.validLogFileTypes,
    validLogFileExtensions: configuration.validLogFileExtensions,
    ddiPollingInterval: formatTimeSpan(configuration.ddiPollingIntervalSeconds),
  };
}
