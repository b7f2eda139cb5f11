import { signDownloadToken, verifyDownloadToken } from './download-token';
import type { FileLocation, FolderLocation } from './file-path';
import { CX600_CPE } from '../../../test/support/rule-fixtures';

const SECRET = Buffer.from('0123456789abcdef0123456789abcdef');
const NOW = new Date('2026-11-27T08:00:00Z');
const EXPIRES = new Date('2026-11-28T08:00:00Z');

const CPE: FileLocation = {
  ...CX600_CPE,
  version: '4.0.7577.4372',
  fileName: 'CPE.nbt',
};

/** Another file of CPE's folder. */
const CAT: FileLocation = { ...CPE, fileName: 'CPE.cat' };

const token = signDownloadToken(SECRET, CPE, EXPIRES);

describe('signDownloadToken', () => {
  it('writes <expiry in epoch seconds>.<base64url HMAC-SHA256>', () => {
    expect(token).toMatch(/^1795852800\.[A-Za-z0-9_-]{43}$/);
    expect(signDownloadToken(SECRET, CPE, EXPIRES)).toBe(token);
  });

  it('cuts the expiry to the second below', () => {
    expect(signDownloadToken(SECRET, CPE, new Date(EXPIRES.getTime() + 999))).toBe(token);
  });

  it('refuses an empty secret and an expiry that cannot be written', () => {
    expect(() => signDownloadToken(Buffer.alloc(0), CPE, EXPIRES)).toThrow(/secret is empty/);
    expect(() => signDownloadToken(SECRET, CPE, new Date(Number.NaN))).toThrow(/cannot sign/);
    expect(() => signDownloadToken(SECRET, CPE, new Date(-1000))).toThrow(/cannot sign/);
  });

  it('makes one token for a folder, whatever file stands for it', () => {
    const { fileName: _fileName, ...folder } = CPE;
    expect(signDownloadToken(SECRET, folder, EXPIRES)).toBe(token);
    expect(signDownloadToken(SECRET, CAT, EXPIRES)).toBe(token);
  });

  it('makes a different token for each folder, expiry and secret', () => {
    const tokens = new Set([
      token,
      signDownloadToken(SECRET, { ...CPE, updateType: 'UCS' }, EXPIRES),
      signDownloadToken(SECRET, { ...CPE, version: '4.0.7577.4373' }, EXPIRES),
      signDownloadToken(SECRET, CPE, new Date(EXPIRES.getTime() + 1000)),
      signDownloadToken(Buffer.from('another secret, just as long!!!'), CPE, EXPIRES),
    ]);
    expect(tokens.size).toBe(5);
  });
});

describe('verifyDownloadToken', () => {
  it('accepts the token for every file of its folder until it expires', () => {
    expect(verifyDownloadToken(SECRET, CPE, token, NOW)).toBe(true);
    expect(verifyDownloadToken(SECRET, CAT, token, NOW)).toBe(true);
    expect(verifyDownloadToken(SECRET, CPE, token, new Date(EXPIRES.getTime() - 1))).toBe(true);
  });

  it('refuses the token from its expiry on', () => {
    expect(verifyDownloadToken(SECRET, CPE, token, EXPIRES)).toBe(false);
    expect(verifyDownloadToken(SECRET, CPE, token, new Date(EXPIRES.getTime() + 86_400_000))).toBe(false);
  });

  it('ignores case in the path, as paths match case-insensitively', () => {
    const shouted = Object.fromEntries(Object.entries(CPE).map(([field, value]) => [field, value.toUpperCase()])) as FileLocation;
    expect(verifyDownloadToken(SECRET, shouted, token, NOW)).toBe(true);
  });

  it.each<[string, Partial<FolderLocation>]>([
    ['another update type of the same version', { updateType: 'UCS' }],
    ['version and update type swapped', { version: 'CPE', updateType: '4.0.7577.4372' }],
    ['another version', { version: '4.0.7577.4373' }],
    ['another model', { model: 'CX700' }],
    ['another device type', { deviceType: 'UCPhone2' }],
    ['segments shifted between fields', { model: 'CX600/A', revision: '' }],
  ])('refuses the token for %s', (_, change) => {
    expect(verifyDownloadToken(SECRET, { ...CPE, ...change }, token, NOW)).toBe(false);
  });

  it('refuses a token made with another secret', () => {
    expect(verifyDownloadToken(Buffer.from('another secret, just as long!!!'), CPE, token, NOW)).toBe(false);
  });

  it('refuses a token whose expiry was pushed back', () => {
    const [, mac] = token.split('.');
    expect(verifyDownloadToken(SECRET, CPE, `1795852801.${mac}`, NOW)).toBe(false);
    expect(verifyDownloadToken(SECRET, CPE, `9999999999.${mac}`, NOW)).toBe(false);
    expect(verifyDownloadToken(SECRET, CPE, `01795852800.${mac}`, NOW)).toBe(false);
  });

  it('refuses every one-character change of the MAC, including ones that decode to the same bytes', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let at = token.indexOf('.') + 1; at < token.length; at++) {
      for (const character of alphabet) {
        if (character === token[at]) continue;
        const tampered = token.slice(0, at) + character + token.slice(at + 1);
        expect(verifyDownloadToken(SECRET, CPE, tampered, NOW)).toBe(false);
      }
    }
  });

  it.each([
    ['no token', undefined],
    ['a null token', null],
    ['an empty token', ''],
    ['no dot', token.replace('.', '')],
    ['no MAC', '1795852800.'],
    ['no expiry', token.slice(token.indexOf('.'))],
    ['a short MAC', token.slice(0, -1)],
    ['a long MAC', `${token}A`],
    ['a padded MAC', `${token}=`],
    ['standard base64', token.replace(/[A-Za-z0-9]/, '+')],
    ['a negative expiry', `-${token}`],
    ['a fractional expiry', token.replace('.', '.5.')],
    ['a huge expiry', `${'9'.repeat(400)}.${token.split('.')[1]}`],
    ['blanks', ` ${token} `],
    ['two tokens', `${token},${token}`],
    ['a huge token', 'x'.repeat(1_000_000)],
    ['non-ASCII', token.replace(/.$/, 'é')],
  ])('refuses %s without throwing', (_, malformed) => {
    expect(verifyDownloadToken(SECRET, CPE, malformed, NOW)).toBe(false);
  });

  it('never throws, whatever it is given', () => {
    const odd = [
      () => verifyDownloadToken(Buffer.alloc(0), CPE, token, NOW),
      () => verifyDownloadToken(SECRET, CPE, token, new Date(Number.NaN)),
      () => verifyDownloadToken(SECRET, { ...CPE, version: undefined } as unknown as FileLocation, token, NOW),
      () => verifyDownloadToken(SECRET, null as unknown as FileLocation, token, NOW),
      () => verifyDownloadToken(SECRET, CPE, 42 as unknown as string, NOW),
    ];
    for (const call of odd) {
      expect(call()).toBe(false);
    }
  });
});
