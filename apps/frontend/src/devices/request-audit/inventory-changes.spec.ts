import type { AnsweredCheck } from '@ucupdates/database';
import { answeredCheck } from '../../../../../test/support/answered-check';
import { InventoryChanges } from './inventory-changes';

function check(at: number, overrides: Partial<AnsweredCheck> = {}, version = '1.0'): AnsweredCheck {
  return answeredCheck({ requestId: `r-${at}`, at: new Date(at), ...overrides }, { version });
}

describe('InventoryChanges', () => {
  const minute = 60_000;

  it('writes a device the first time, then only when something but the time changed', () => {
    const changes = new InventoryChanges();
    expect(changes.changed(check(0))).toBe(true);
    expect(changes.changed(check(minute))).toBe(false);
    expect(changes.changed(check(2 * minute, {}, '2.0'))).toBe(true);
    expect(changes.changed(check(3 * minute, { address: '10.0.0.2' }, '2.0'))).toBe(true);
    expect(changes.changed(check(4 * minute, { userId: 'sip:bob@contoso.com' }, '2.0'))).toBe(true);
    expect(changes.changed(check(5 * minute, { userId: 'sip:bob@contoso.com', isTestDevice: true }, '2.0'))).toBe(true);
  });

  it('touches an unchanged device at the coarse interval', () => {
    const changes = new InventoryChanges();
    expect(changes.changed(check(0))).toBe(true);
    expect(changes.changed(check(9 * minute))).toBe(false);
    expect(changes.changed(check(10 * minute))).toBe(true);
    expect(changes.changed(check(11 * minute))).toBe(false);
  });

  it('writes everything again once cleared', () => {
    const changes = new InventoryChanges();
    changes.changed(check(0));
    changes.clear();
    expect(changes.changed(check(1))).toBe(true);
  });
});
