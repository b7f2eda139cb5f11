import { defaultConfiguration, formatTimeSpan } from '@ucupdates/device-config';
import { DEFAULT_CONFIGURATION } from './views';

describe('DEFAULT_CONFIGURATION', () => {
  it("is the frontend's defaults (libs/device-config) as the API shows them", () => {
    const { scope: _, logCleanUpIntervalSeconds, logFlushIntervalSeconds, ddiPollingIntervalSeconds, ...rest } = defaultConfiguration();
    expect(DEFAULT_CONFIGURATION).toEqual({
      ...rest,
      logCleanUpInterval: formatTimeSpan(logCleanUpIntervalSeconds),
      logFlushInterval: formatTimeSpan(logFlushIntervalSeconds),
      ddiPollingInterval: formatTimeSpan(ddiPollingIntervalSeconds),
    });
  });
});
