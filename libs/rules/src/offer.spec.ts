import { decideOffer, OfferInput, offeredVersion } from './offer';

type State = OfferInput['state'];

function rule(approved: string | null, pending: string | null, rolledBack: string | null = null): State {
  return { approvedVersion: approved, pendingVersion: pending, rolledBackVersion: rolledBack };
}

const install = (version: string) => ({ action: 'Install', version });
const restoreBackup = (version: string) => ({ action: 'RestoreBackup', version });

describe('offeredVersion', () => {
  it.each([
    ['a test device, pending and approved', rule('1.0', '2.0'), true, '2.0'],
    ['a test device, approved only', rule('1.0', null), true, '1.0'],
    ['a test device, pending only', rule(null, '2.0'), true, '2.0'],
    ['another device, pending and approved', rule('1.0', '2.0'), false, '1.0'],
    ['another device, pending only', rule(null, '2.0'), false, null],
    ['anyone, nothing', rule(null, null), true, null],
  ])('%s: %j', (_, state, isTestDevice, expected) => {
    expect(offeredVersion(state, isTestDevice)).toBe(expected);
  });
});

describe('decideOffer', () => {
  it.each([
    // [case, state, isTestDevice, installedVersion, offer]
    ['test device gets the pending version', rule('1.0', '2.0'), true, '1.0', install('2.0')],
    ['test device already on pending gets nothing', rule('1.0', '2.0'), true, '2.0', null],
    ['test device without pending gets the approved version', rule('1.0', null), true, '0.9', install('1.0')],
    ['test device without pending, on approved, gets nothing', rule('1.0', null), true, '1.0', null],
    ['test device on a reset pending goes back to approved', rule('1.0', null), true, '2.0', install('1.0')],
    ['other device gets the approved version, not the pending', rule('1.0', '2.0'), false, '0.9', install('1.0')],
    ['other device on approved gets nothing despite a pending', rule('1.0', '2.0'), false, '1.0', null],
    ['other device gets nothing when only a version is pending', rule(null, '2.0'), false, '0.9', null],
    ['newer approved is offered', rule('4.0.7577.4372', null), false, '4.0.7577.4366', install('4.0.7577.4372')],
    ['older but different is offered', rule('4.0.7577.4366', null), false, '4.0.7577.4372', install('4.0.7577.4366')],
    ['equal is not offered', rule('4.0.7577.4372', null), false, '4.0.7577.4372', null],
    ['equal spelt with a trailing .0 is not offered', rule('1.2', null), false, '1.2.0', null],
    ['equal with leading zeros is not offered', rule('1.2', null), false, '01.02', null],
    ['equal with surrounding blanks is not offered', rule('1.2', null), false, ' 1.2 ', null],
    ['no module reported: offered', rule('1.0', null), false, null, install('1.0')],
    ['empty version reported: offered', rule('1.0', null), false, '', install('1.0')],
    ['blank version reported: offered', rule('1.0', null), false, '  ', install('1.0')],
    ['garbled version reported: offered', rule('1.0', null), false, 'v1.0-beta', install('1.0')],
    ['nothing at all: nothing', rule(null, null), false, '1.0', null],
    ['nothing at all, none installed: nothing', rule(null, null), true, null, null],
  ])('%s', (_, state, isTestDevice, installedVersion, offer) => {
    expect(decideOffer({ state, isTestDevice, installedVersion })).toEqual(offer);
  });

  describe('after a restore', () => {
    const toOne = rule('1.0', null, '2.0');
    const toNone = rule(null, null, '2.0');
    const toNoneWithPending = rule(null, '3.0', '2.0');

    it.each([
      ['to a restore version, a device on the rolled-back one installs it', toOne, false, '2.0', install('1.0')],
      ['to a restore version, a device already on it gets nothing', toOne, false, '1.0', null],
      ['to none, a device on the rolled-back version restores its backup', toNone, false, '2.0', restoreBackup('2.0')],
      ['to none, that version spelt differently restores the backup', toNone, false, '2.0.0', restoreBackup('2.0')],
      ['to none, a test device on it restores its backup', toNone, true, '2.0', restoreBackup('2.0')],
      ['to none, a device on another version gets nothing', toNone, false, '1.0', null],
      ['to none, a device reporting no version gets nothing', toNone, false, null, null],
      ['to none, a device reporting an empty version gets nothing', toNone, false, '', null],
      ['to none but pending, a test device installs pending', toNoneWithPending, true, '2.0', install('3.0')],
      ['to none but pending, others restore their backup', toNoneWithPending, false, '2.0', restoreBackup('2.0')],
    ])('%s', (_, state, isTestDevice, installedVersion, offer) => {
      expect(decideOffer({ state, isTestDevice, installedVersion })).toEqual(offer);
    });
  });
});
