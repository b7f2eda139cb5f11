import type { DeviceView, RuleKey } from '@ucupdates/admin-api';

/** The rule key the unit tests use: a Polycom CX600's firmware (CPE), as Lync names it. */
export const CX600_CPE: RuleKey = {
  deviceType: 'UCPhone',
  brand: 'Polycom',
  model: 'CX600',
  revision: 'A',
  locale: 'ENU',
  updateType: 'CPE',
};

/** A device of the inventory as the admin API shows it: a CX600 on CPE 4.0.7577.4366, seen through node-1. */
export const CX600_DEVICE: DeviceView = {
  id: '9d2f4b6a-1c3e-4a5b-8c7d-6e5f4a3b2c1d',
  macAddress: '00-04-F2-12-34-56',
  serialNumber: null,
  controllerId: null,
  deviceType: 'UCPhone',
  brand: 'Polycom',
  model: 'CX600',
  revision: 'A',
  locale: 'ENU',
  modules: [
    { updateType: 'CPE', version: '4.0.7577.4366' },
    { updateType: 'UCM', version: '4.0.7577.10' },
  ],
  isTestDevice: false,
  firstSeenAt: '2024-05-01T00:00:00.000Z',
  lastSeenAt: '2024-05-31T08:00:00.000Z',
  lastNodeId: 'node-1',
  lastAddress: '10.0.0.7',
  lastUserId: null,
};
