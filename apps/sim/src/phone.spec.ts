import type { PhoneIdentity } from './identities';
import { Phone } from './phone';
import type { CheckAnswer, OfferedModule } from './phone-protocol';

const identity: PhoneIdentity = {
  index: 0,
  deviceType: 'UCPhone',
  mac: '00-04-F2-00-00-01',
  serial: '78491-322-0000000',
  brand: 'Polycom',
  model: 'CX600',
  revision: 'A',
  locale: 'ENU',
  userId: null,
  testDevice: false,
  external: false,
  installed: { CPE: '1.0', UCM: '5.0' },
};

const install = (updateType: string, version: string): OfferedModule => ({
  updateType,
  action: 'Install',
  version,
  files: [{ name: `${updateType}.nbt`, url: 'http://pool/x', size: 1, sha256: 'a'.repeat(64) }],
  baseUrl: 'http://pool/x',
  externalBaseUrl: '',
  filename: `${updateType}.nbt`,
  signatureFilename: null,
});
const restore = (updateType: string): OfferedModule => ({
  updateType,
  action: 'RestoreBackup',
  version: null,
  files: [],
  baseUrl: '',
  externalBaseUrl: '',
  filename: null,
  signatureFilename: null,
});
const answer = (...modules: OfferedModule[]): CheckAnswer => ({ numOfFiles: modules.reduce((n, m) => n + m.files.length, 0), modules });

describe('Phone', () => {
  it('is current after an answer that offers nothing, from that moment', () => {
    const phone = new Phone(identity);
    expect(phone.plan(answer(), 100)).toEqual({ kind: 'nothing' });
    expect([phone.current, phone.currentSince]).toEqual([true, 100]);
    phone.plan(answer(), 200);
    expect(phone.currentSince).toBe(100);
  });

  it('installs an offered version that differs, newer or older, keeping the one it ran as its backup', () => {
    const phone = new Phone(identity);
    const plan = phone.plan(answer(install('CPE', '2.0'), install('UCM', '5.0')), 0);
    expect(plan).toMatchObject({ kind: 'update', installs: [{ updateType: 'CPE', version: '2.0' }], restores: [] });
    expect(phone.current).toBe(false);
    phone.install('CPE', '2.0');
    expect([phone.installed.CPE, phone.backup.CPE, phone.installs]).toEqual(['2.0', '1.0', 1]);
    phone.install('CPE', '0.9'); // an approved older version is installed too
    expect([phone.installed.CPE, phone.backup.CPE]).toEqual(['0.9', '2.0']);
  });

  it('goes back to its backup on RestoreBackup, once', () => {
    const phone = new Phone(identity);
    phone.install('CPE', '2.0');
    expect(phone.plan(answer(restore('CPE')), 0)).toMatchObject({ kind: 'update', restores: ['CPE'] });
    expect(phone.restoreBackup('CPE')).toBe(true);
    expect([phone.installed.CPE, phone.backup.CPE, phone.restores]).toEqual(['1.0', null, 1]);
    expect(phone.restoreBackup('CPE')).toBe(false);
    expect(phone.installed.CPE).toBe('1.0');
  });

  it('counts consecutive failures until an operation succeeds, and forgets its sign-in at reboot', () => {
    const phone = new Phone(identity);
    expect([phone.failed(), phone.failed(), phone.failed()]).toEqual([1, 2, 3]);
    phone.succeeded();
    expect(phone.failed()).toBe(1);
    phone.authenticated = true;
    phone.reboot();
    expect(phone.authenticated).toBe(false);
  });
});
