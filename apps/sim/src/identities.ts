import { Random } from './random';

/**
 * Who the simulated phones are: realistic, reproducible identities (the same seed gives the same
 * phones). The default mix is the Lync Phone Edition devices of a typical pool: Polycom CX500,
 * CX600, CX700 and CX3000, Aastra 6721ip and 6725ip, HP 4110 and 4120, mostly in English.
 */

export interface DeviceKind {
  brand: string;
  model: string;
  revision: string;
  locale: string;
  weight: number;
}

export interface InstalledChoice {
  version: string;
  weight: number;
}

export interface PhoneIdentity {
  index: number;
  deviceType: string;
  /** Upper-case hex pairs joined by `-`; null for a phone that reports only its serial number. */
  mac: string | null;
  serial: string;
  brand: string;
  model: string;
  revision: string;
  locale: string;
  /** The SIP user signed in on the phone, if any. */
  userId: string | null;
  /** Whether the phone is one the pool lists as a test device (the operator registers it). */
  testDevice: boolean;
  /** Outside the company: checks on the external listener, with its user's credentials. */
  external: boolean;
  /** What it runs when the simulation starts, per update type. */
  installed: Record<string, string>;
}

export interface IdentityOptions {
  count: number;
  seed: number;
  mix: DeviceKind[];
  /** Per update type, the versions phones start with and how common each is. */
  installed: Record<string, InstalledChoice[]>;
  /** Fractions of the phones. */
  signedInShare: number;
  externalShare: number;
  testDeviceShare: number;
  serialOnlyShare: number;
  sipDomain: string;
  deviceType: string;
}

/** MAC prefixes (OUIs) registered to each vendor; the rest of the address is the phone's index. */
const OUI: Record<string, string> = {
  Polycom: '00-04-F2',
  Aastra: '00-08-5D',
  HP: '00-1F-29',
  Snom: '00-04-13',
  Yealink: '80-5E-C0',
};

export const DEFAULT_MIX: DeviceKind[] = [
  ...kinds('Polycom', 'CX600', 30),
  ...kinds('Polycom', 'CX500', 15),
  ...kinds('Polycom', 'CX700', 10),
  ...kinds('Polycom', 'CX3000', 5),
  ...kinds('Aastra', '6721ip', 10),
  ...kinds('Aastra', '6725ip', 12),
  ...kinds('HP', '4110', 8),
  ...kinds('HP', '4120', 10),
];

export const DEFAULT_INSTALLED: Record<string, InstalledChoice[]> = {
  CPE: [
    { version: '4.0.7577.4000', weight: 80 },
    { version: '4.0.7577.3800', weight: 20 },
  ],
};

/** DDI devices (--ddi): one gateway model, no locale of its own. */
export const DEFAULT_DDI_MIX: DeviceKind[] = [{ brand: 'Contoso', model: 'Gateway-1', revision: '1.0', locale: 'Neutral', weight: 1 }];

export const DEFAULT_DDI_INSTALLED: Record<string, InstalledChoice[]> = { os: [{ version: '1.0.0', weight: 1 }] };

/** One model in the locales of a European-American company, most phones revision A. */
function kinds(brand: string, model: string, weight: number): DeviceKind[] {
  const locales: [string, number][] = [
    ['ENU', 0.7],
    ['DEU', 0.12],
    ['FRA', 0.12],
    ['JPN', 0.06],
  ];
  return locales.flatMap(([locale, share]) => [
    { brand, model, revision: 'A', locale, weight: weight * share * 0.9 },
    { brand, model, revision: 'B', locale, weight: weight * share * 0.1 },
  ]);
}

export function generateIdentities(options: IdentityOptions): PhoneIdentity[] {
  const random = new Random(options.seed);
  const phones: PhoneIdentity[] = [];
  for (let index = 0; index < options.count; index++) {
    const kind = random.weighted(options.mix, (each) => each.weight);
    const external = random.chance(options.externalShare);
    // An external phone is only ever served with a signed-in user (Lync denies the others).
    const signedIn = external || random.chance(options.signedInShare);
    const installed: Record<string, string> = {};
    for (const [updateType, choices] of Object.entries(options.installed)) {
      installed[updateType] = random.weighted(choices, (choice) => choice.weight).version;
    }
    phones.push({
      index,
      deviceType: options.deviceType,
      mac: random.chance(options.serialOnlyShare) ? null : macOf(kind.brand, options.seed, index),
      serial: serialOf(kind.brand, index),
      brand: kind.brand,
      model: kind.model,
      revision: kind.revision,
      locale: kind.locale,
      userId: signedIn ? userIdOf(index, options.sipDomain) : null,
      testDevice: random.chance(options.testDeviceShare),
      external,
      installed,
    });
  }
  return phones;
}

/** The vendor's OUI, then 24 bits from the seed and the index: unique for up to 16.7 million phones. */
export function macOf(brand: string, seed: number, index: number): string {
  const oui = OUI[brand] ?? '02-00-00';
  const low = ((seed * 0x9e3779b1 + index) >>> 0) & 0xffffff;
  const hex = low.toString(16).toUpperCase().padStart(6, '0');
  return `${oui}-${hex.slice(0, 2)}-${hex.slice(2, 4)}-${hex.slice(4, 6)}`;
}

/** Serial numbers in the vendor's manner (the digits of the index make them unique). */
export function serialOf(brand: string, index: number): string {
  const digits = String(index).padStart(7, '0');
  switch (brand) {
    case 'Polycom':
      return `78491-322-${digits}`;
    case 'Aastra':
      return `A6K${digits}`;
    case 'HP':
      return `CN${digits}HP`;
    default:
      return `SN${digits}`;
  }
}

/** `sip:phone0000042@contoso.com`: the user the simulation signs in on phone 42. */
export function userIdOf(index: number, sipDomain: string): string {
  return `sip:phone${String(index).padStart(7, '0')}@${sipDomain}`;
}

/** `Polycom/CX600/A/ENU:30,HP/4120/A/DEU:5` (weight after the colon, 1 when left out). */
export function parseMix(text: string): DeviceKind[] {
  const kinds = text.split(',').map((part) => part.trim()).filter(Boolean).map((part) => {
    const [key, weightText] = part.split(':');
    const fields = key.split('/');
    if (fields.length !== 4 || fields.some((field) => !/^[A-Za-z0-9._-]{1,64}$/.test(field))) {
      throw new Error(`"${part}": a device kind is Brand/Model/Revision/Locale[:weight]`);
    }
    const weight = weightText === undefined ? 1 : Number(weightText);
    if (!(weight > 0)) throw new Error(`"${part}": the weight must be a positive number`);
    const [brand, model, revision, locale] = fields;
    return { brand, model, revision, locale, weight };
  });
  if (kinds.length === 0) throw new Error('the mix names no device kind');
  return kinds;
}

/** `CPE=4.0.7577.4000:80|4.0.7577.3800:20,UCM=1.0.0` (per update type, versions with weights). */
export function parseInstalled(text: string): Record<string, InstalledChoice[]> {
  const installed: Record<string, InstalledChoice[]> = {};
  for (const part of text.split(',').map((each) => each.trim()).filter(Boolean)) {
    const [updateType, versions] = part.split('=');
    if (!updateType || !versions || !/^[A-Za-z0-9._-]{1,64}$/.test(updateType)) {
      throw new Error(`"${part}": installed versions are UpdateType=Version[:weight][|Version[:weight]…]`);
    }
    installed[updateType] = versions.split('|').map((choice) => {
      const [version, weightText] = choice.split(':');
      const weight = weightText === undefined ? 1 : Number(weightText);
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(version) || !(weight > 0)) throw new Error(`"${choice}": not a version[:weight]`);
      return { version, weight };
    });
  }
  return installed;
}
