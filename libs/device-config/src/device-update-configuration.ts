/**
 * Lync's DeviceUpdateConfiguration (admin-api.md): how device logs are taken and kept, and how
 * often DDI devices poll (ddi.md). Intervals are seconds here; the admin API shows them as
 * TimeSpan text.
 */
export interface DeviceUpdateConfiguration {
  scope: string;
  logCleanUpIntervalSeconds: number;
  logFlushIntervalSeconds: number;
  maxLogCacheLimit: number;
  maxLogFileSize: number;
  /** `HH:MM` UTC, or null: clean up whenever the interval is due. */
  logCleanUpTimeOfDay: string | null;
  validLogFileTypes: string[];
  validLogFileExtensions: string[];
  /** DdiPollingInterval: the `config.polling.sleep` a DDI device is answered with. */
  ddiPollingIntervalSeconds: number;
}

export const GLOBAL_SCOPE = 'global';

/** Lync's defaults. */
export function defaultConfiguration(scope: string = GLOBAL_SCOPE): DeviceUpdateConfiguration {
  return {
    scope,
    logCleanUpIntervalSeconds: 10 * 86_400,
    logFlushIntervalSeconds: 5 * 60,
    maxLogCacheLimit: 512_000,
    maxLogFileSize: 1_024_000,
    logCleanUpTimeOfDay: '03:00',
    validLogFileTypes: ['Watson', 'CELog'],
    validLogFileExtensions: ['.dmp', '.clg', '.clg1', '.clg2', '.bak', '.kdmp', '.dat', '.bin', '.cat', '.xml', '.txt', '.hex'],
    ddiPollingIntervalSeconds: 5 * 60,
  };
}

/** Lync's ranges: clean-up interval 1 to 365 days, flush interval 1 to 60 minutes; DDI polling 30 s to 24 h (ddi.md). */
export const RANGES = {
  logCleanUpIntervalSeconds: { min: 86_400, max: 365 * 86_400 },
  logFlushIntervalSeconds: { min: 60, max: 3_600 },
  ddiPollingIntervalSeconds: { min: 30, max: 86_400 },
} as const;

/**
 * The configuration in force: the pool's site's if it has one, else the global one (stored or,
 * when never set, the defaults).
 */
export function effectiveConfiguration(
  configurations: readonly DeviceUpdateConfiguration[],
  site: string | undefined,
): DeviceUpdateConfiguration {
  const siteScope = site ? `site:${site}`.toLowerCase() : null;
  return (
    configurations.find((configuration) => siteScope !== null && configuration.scope.toLowerCase() === siteScope) ??
    configurations.find((configuration) => configuration.scope === GLOBAL_SCOPE) ??
    defaultConfiguration()
  );
}
