import { ddiDeviceKind, isDdiDeviceType, isValidControllerId, NEUTRAL_LOCALE } from './ddi-device';
import { isRuleKeyField } from './rule-key';

describe('DDI devices and rules', () => {
  it('maps vendor, model, hwRevision and locale onto a DDI rule key', () => {
    expect(ddiDeviceKind({ vendor: 'Contoso', model: 'Gateway-1', hwRevision: '1.0', locale: 'ENU' })).toEqual({
      deviceType: 'DDI',
      brand: 'Contoso',
      model: 'Gateway-1',
      revision: '1.0',
      locale: 'ENU',
    });
  });

  it.each([undefined, null, ''])('takes the Neutral locale when a device names none (%p)', (locale) => {
    expect(ddiDeviceKind({ vendor: 'Contoso', model: 'Gateway-1', hwRevision: '1.0', locale }).locale).toBe(NEUTRAL_LOCALE);
  });

  it('knows the DDI device type whatever its case, and nothing else', () => {
    expect(isDdiDeviceType('DDI')).toBe(true);
    expect(isDdiDeviceType('ddi')).toBe(true);
    expect(isDdiDeviceType('UCPhone')).toBe(false);
    expect(isDdiDeviceType('DDI2')).toBe(false);
  });

  it.each(['gw-0001', 'a', 'device.1_x:y', 'A'.repeat(64)])('accepts the controller id %p', (id) => {
    expect(isValidControllerId(id)).toBe(true);
  });

  it.each(['', 'A'.repeat(65), 'a b', 'a/b', 'ä', 'a%2f'])('refuses the controller id %p', (id) => {
    expect(isValidControllerId(id)).toBe(false);
  });

  it('keeps rule key fields to what a URL segment holds', () => {
    expect(isRuleKeyField('Gateway-1')).toBe(true);
    expect(isRuleKeyField('.hidden')).toBe(false);
    expect(isRuleKeyField('a b')).toBe(false);
    expect(isRuleKeyField('x'.repeat(65))).toBe(false);
  });
});
