import type { RuleKey } from '@ucupdates/admin-api';

/** The rule key the unit tests use: a Polycom CX600's firmware (CPE), as Lync names it. */
export const CX600_CPE: RuleKey = {
  deviceType: 'UCPhone',
  brand: 'Polycom',
  model: 'CX600',
  revision: 'A',
  locale: 'ENU',
  updateType: 'CPE',
};
