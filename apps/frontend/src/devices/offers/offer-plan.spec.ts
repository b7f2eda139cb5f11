import type { DeviceKind } from '../device-request';
import { type CachedRule, PoolState } from '../pool-state/pool-state';
import { type OfferedDevice, planCheck } from './offer-plan';
import { CX600_CPE } from '../../../../../test/support/rule-fixtures';

const file = (name: string, role = 'image') => ({ name, role, sha256: name.padEnd(64, '0').slice(0, 64), sha1: null, md5: null, size: 10 });

function rule(overrides: Partial<CachedRule>): CachedRule {
  return {
    id: 'r1',
    ...CX600_CPE,
    approvedVersion: null,
    pendingVersion: null,
    rolledBackVersion: null,
    restoreVersion: null,
    changedAt: 0,
    files: {},
    servedUntil: {},
    ...overrides,
  };
}

/** A device's request as the offer sees it, from flat fields (the kind's among them). */
function phone(overrides: Partial<DeviceKind & Omit<OfferedDevice, 'kind'>> = {}): OfferedDevice {
  const { deviceType, brand, model, revision, locale, ...identity } = {
    deviceType: 'ucphone',
    macAddress: '00-04-F2-AB-CD-EF',
    serialNumber: null,
    controllerId: null,
    brand: 'POLYCOM',
    model: 'cx600',
    revision: 'a',
    locale: 'enu',
    installed: [],
    ...overrides,
  };
  return { kind: { deviceType, brand, model, revision, locale }, ...identity };
}

const state = (rules: CachedRule[], testDevices: PoolState['testDevices'] = []) => new PoolState(rules, testDevices, [], new Date());

describe('planCheck', () => {
  const cpe = rule({
    approvedVersion: '2.0',
    pendingVersion: '3.0',
    files: { '2.0': [file('CPE.nbt'), file('CPE.cat', 'catalog')], '3.0': [file('CPE3.nbt')] },
  });
  const ucs = rule({ id: 'r2', updateType: 'UCS', approvedVersion: '7.1', files: { '7.1': [file('ucs.bin')] } });

  it('finds the rules of the device kind case-insensitively, one module per update type in update-type order', () => {
    const plan = planCheck(state([ucs, cpe]), phone(), undefined);
    expect(plan.modules.map((module) => [module.rule.updateType, module.offer])).toEqual([
      ['CPE', { action: 'Install', version: '2.0' }],
      ['UCS', { action: 'Install', version: '7.1' }],
    ]);
    expect(plan.modules[0].files.map((f) => f.name)).toEqual(['CPE.nbt', 'CPE.cat']);
    expect(plan.isTestDevice).toBe(false);
  });

  it('offers nothing to another device kind', () => {
    expect(planCheck(state([cpe]), phone({ model: 'CX700' }), undefined).modules).toEqual([]);
    expect(planCheck(state([cpe]), phone({ locale: 'DEU' }), undefined).modules).toEqual([]);
  });

  it('matches an installed module by update type case-insensitively', () => {
    const plan = planCheck(state([cpe]), phone({ installed: [{ updateType: 'cpe', filename: 'x', version: '2.0', timestamp: null }] }), undefined);
    expect(plan.modules).toEqual([]);
  });

  it('gives test devices in scope the pending version: global, or the pool site', () => {
    const devices = [
      { scope: 'global', identifierType: 'MACAddress', identifier: '00-04-F2-AB-CD-EF' },
      { scope: 'site:Redmond', identifierType: 'SerialNumber', identifier: 'SN-1' },
    ];
    expect(planCheck(state([cpe], devices), phone(), undefined).modules[0].offer.version).toBe('3.0');
    const bySerial = phone({ macAddress: null, serialNumber: 'sn-1' });
    expect(planCheck(state([cpe], devices), bySerial, 'Redmond')).toMatchObject({ isTestDevice: true });
    expect(planCheck(state([cpe], devices), bySerial, 'Dublin')).toMatchObject({ isTestDevice: false });
    expect(planCheck(state([cpe], devices), bySerial, 'Dublin').modules[0].offer.version).toBe('2.0');
  });

  it('knows a DDI test device by its controller id, and a phone never by one', () => {
    const devices = [{ scope: 'site:Redmond', identifierType: 'ControllerId', identifier: 'gw-0001' }];
    expect(state([], devices).isTestController('GW-0001', 'Redmond')).toBe(true);
    expect(state([], devices).isTestController('gw-0001', 'Dublin')).toBe(false);
    expect(state([], devices).isTestController('gw-0002', 'Redmond')).toBe(false);
    expect(planCheck(state([cpe], devices), phone({ macAddress: null, serialNumber: 'gw-0001' }), 'Redmond').isTestDevice).toBe(false);
  });

  it('tells a device on a rolled-back version to restore its backup, with no files', () => {
    const rolledBack = rule({ rolledBackVersion: '5.0', files: {} });
    const plan = planCheck(state([rolledBack]), phone({ installed: [{ updateType: 'CPE', filename: 'x', version: '5.0', timestamp: null }] }), undefined);
    expect(plan.modules.map((module) => [module.offer, module.files])).toEqual([[{ action: 'RestoreBackup', version: '5.0' }, []]]);
  });

  it('leaves out an Install whose version has no files in the state', () => {
    expect(planCheck(state([rule({ approvedVersion: '9.0', files: {} })]), phone(), undefined).modules).toEqual([]);
  });
});
