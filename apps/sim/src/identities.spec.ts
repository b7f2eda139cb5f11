import { DEFAULT_INSTALLED, DEFAULT_MIX, generateIdentities, type IdentityOptions, macOf, parseInstalled, parseMix, serialOf } from './identities';

const options: IdentityOptions = {
  count: 20_000,
  seed: 7,
  mix: DEFAULT_MIX,
  installed: DEFAULT_INSTALLED,
  signedInShare: 0.5,
  externalShare: 0.1,
  testDeviceShare: 0.01,
  serialOnlyShare: 0.02,
  sipDomain: 'contoso.com',
  deviceType: 'UCPhone',
};

describe('phone identities', () => {
  const phones = generateIdentities(options);
  const share = (predicate: (phone: (typeof phones)[number]) => boolean) => phones.filter(predicate).length / phones.length;

  it('are the same for the same seed, and other for another', () => {
    expect(generateIdentities({ ...options, count: 50 })).toEqual(phones.slice(0, 50));
    expect(generateIdentities({ ...options, count: 50, seed: 8 })).not.toEqual(phones.slice(0, 50));
  });

  it('have unique MAC addresses in the vendor range and unique serial numbers', () => {
    const macs = phones.flatMap((phone) => (phone.mac ? [phone.mac] : []));
    expect(new Set(macs).size).toBe(macs.length);
    expect(new Set(phones.map((phone) => phone.serial)).size).toBe(phones.length);
    for (const phone of phones.filter((each) => each.mac)) {
      expect(phone.mac).toMatch(/^[0-9A-F]{2}(-[0-9A-F]{2}){5}$/);
      if (phone.brand === 'Polycom') expect(phone.mac!.startsWith('00-04-F2-')).toBe(true);
    }
  });

  it('follow the mix and the shares', () => {
    expect(share((phone) => phone.brand === 'Polycom' && phone.model === 'CX600')).toBeCloseTo(0.3, 1);
    expect(share((phone) => phone.locale === 'ENU')).toBeCloseTo(0.7, 1);
    expect(share((phone) => phone.external)).toBeCloseTo(0.1, 1);
    expect(share((phone) => phone.userId !== null)).toBeCloseTo(0.55, 1);
    expect(share((phone) => phone.testDevice)).toBeCloseTo(0.01, 2);
    expect(share((phone) => phone.mac === null)).toBeCloseTo(0.02, 2);
    expect(share((phone) => phone.installed.CPE === '4.0.7577.4000')).toBeCloseTo(0.8, 1);
  });

  it('give every external phone a signed-in user', () => {
    expect(phones.filter((phone) => phone.external && phone.userId === null)).toEqual([]);
    expect(phones.find((phone) => phone.userId)?.userId).toMatch(/^sip:phone\d{7}@contoso\.com$/);
  });

  it('format MACs and serials per vendor', () => {
    expect(macOf('Aastra', 0, 1)).toBe('00-08-5D-00-00-01');
    expect(serialOf('Polycom', 42)).toBe('78491-322-0000042');
  });

  it('parse --mix and --installed, refusing what is not one', () => {
    expect(parseMix('Polycom/CX600/A/ENU:3, HP/4120/B/DEU')).toEqual([
      { brand: 'Polycom', model: 'CX600', revision: 'A', locale: 'ENU', weight: 3 },
      { brand: 'HP', model: '4120', revision: 'B', locale: 'DEU', weight: 1 },
    ]);
    expect(() => parseMix('Polycom/CX600/A')).toThrow('Brand/Model/Revision/Locale');
    expect(() => parseMix('Polycom/CX600/A/ENU:0')).toThrow('positive');
    expect(parseInstalled('CPE=1.0:3|2.0,UCM=9')).toEqual({
      CPE: [
        { version: '1.0', weight: 3 },
        { version: '2.0', weight: 1 },
      ],
      UCM: [{ version: '9', weight: 1 }],
    });
    expect(() => parseInstalled('CPE')).toThrow('UpdateType=Version');
  });
});
