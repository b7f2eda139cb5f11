import type { AnsweredCheck, ReportedModule } from '@ucupdates/database';

/**
 * An answered update check of a CX600 (00-04-F2-00-00-01) reporting CPE `version`, as a node
 * journals it; `overrides` replace fields of the check, `device` fields of its request.
 */
export function answeredCheck(
  overrides: Partial<AnsweredCheck> = {},
  { version = '1.0', ...device }: Partial<AnsweredCheck['request']> & { version?: string } = {},
): AnsweredCheck {
  const modules: ReportedModule[] = [{ updateType: 'CPE', filename: '', version, timestamp: null }];
  return {
    requestId: 'r-0',
    at: new Date(0),
    nodeId: 'node-1',
    address: '10.0.0.1',
    request: {
      deviceType: 'UCPhone',
      macAddress: '00-04-F2-00-00-01',
      serialNumber: null,
      vendor: 'Polycom',
      model: 'CX600',
      revision: 'A',
      locale: 'ENU',
      modules,
      ...device,
    },
    responseModules: [],
    userId: null,
    external: false,
    status: 200,
    isTestDevice: false,
    ...overrides,
  };
}
