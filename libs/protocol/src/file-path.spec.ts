import { filePath, folderPath, parseExternalFilePath, parseFilePath, tokenSegment, type FileLocation } from './file-path';
import { CX600_CPE } from '../../../test/support/rule-fixtures';

const CPE: FileLocation = {
  ...CX600_CPE,
  version: '4.0.7577.4372',
  fileName: 'CPE.nbt',
};

const PATH = '/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/CPE.nbt';

/** The path of CPE with one raw (already encoded) segment in place of the file name. */
const withFileName = (raw: string): string => `/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/${raw}`;

describe('filePath', () => {
  it('is the path of phone-protocol.md: the version before the update type, as in the Lync store', () => {
    expect(filePath(CPE)).toBe(PATH);
    expect(folderPath(CPE)).toBe('/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE');
    expect(`${folderPath(CPE)}/${CPE.fileName}`).toBe(PATH);
  });

  it('percent-encodes each segment', () => {
    expect(filePath({ ...CPE, model: 'CX 600', fileName: 'a%b?c#d&e=f.nbt' })).toBe(
      '/UCPhone/Polycom/CX%20600/A/ENU/4.0.7577.4372/CPE/a%25b%3Fc%23d%26e%3Df.nbt',
    );
  });

  it.each([
    ['an empty segment', { revision: '' }],
    ['"."', { locale: '.' }],
    ['".."', { fileName: '..' }],
    ['a slash', { fileName: 'a/b' }],
    ['a backslash', { fileName: 'a\\b' }],
    ['a control character', { fileName: 'a\nb' }],
  ])('refuses to build a path that could not be served: %s', (_, change) => {
    expect(() => filePath({ ...CPE, ...change })).toThrow(/cannot be served/);
    if (!('fileName' in change)) expect(() => folderPath({ ...CPE, ...change })).toThrow(/cannot be served/);
  });
});

describe('parseFilePath', () => {
  it('reads the path of phone-protocol.md', () => {
    expect(parseFilePath(PATH)).toEqual(CPE);
  });

  it.each([
    ['blanks', { model: 'CX 600', fileName: 'my file.nbt' }],
    ['percent signs', { fileName: '100%.nbt', version: '%2e%2e' }],
    ['reserved characters', { fileName: "a?b#c&d=e+f;g,h:i@j$k!l'm(n)o*p.nbt" }],
    ['unicode', { brand: 'Ünïcødé', locale: '日本語', fileName: 'émoji-😀.cat' }],
    ['dots that are not "." or ".."', { fileName: '...', revision: '.a', locale: 'a..b' }],
  ])('round-trips segments with %s', (_, change) => {
    const location = { ...CPE, ...change };
    expect(parseFilePath(filePath(location))).toEqual(location);
  });

  it('decodes what encodeURIComponent leaves alone and what it encodes alike', () => {
    expect(parseFilePath(withFileName('CPE%2Enbt'))?.fileName).toBe('CPE.nbt');
    expect(parseFilePath(withFileName('a+b'))?.fileName).toBe('a+b');
  });

  it.each([
    ['no segment', '/'],
    ['an empty path', ''],
    ['no leading slash', PATH.slice(1)],
    ['seven segments', '/UCPhone/Polycom/CX600/A/ENU/CPE/CPE.nbt'],
    ['nine segments', `${PATH}/more`],
    ['a trailing slash', `${PATH}/`],
    ['an empty segment', '/UCPhone/Polycom//A/ENU/4.0.7577.4372/CPE/CPE.nbt'],
    ['a query string', `${PATH}?t=1`],
    ['a fragment', `${PATH}#x`],
  ])('refuses %s', (_, path) => {
    expect(parseFilePath(path)).toBeNull();
  });

  it.each([
    ['..', '..'],
    ['.', '.'],
    ['%2e%2e', '%2e%2e'],
    ['%2E%2e', '%2E%2e'],
    ['%2e', '%2e'],
    ['.%2e', '.%2e'],
    ['an encoded slash', '..%2fetc%2fpasswd'],
    ['an encoded slash, upper case', 'a%2Fb'],
    ['an encoded backslash', '..%5c..%5cwin.ini'],
    ['an encoded backslash, upper case', 'a%5Cb'],
    ['a raw backslash', 'a\\b'],
    ['NUL', 'CPE.nbt%00.txt'],
    ['a line feed', 'a%0Ab'],
    ['DEL', 'a%7Fb'],
    ['a C1 control', 'a%C2%85b'],
    ['a raw control character', 'a\tb'],
  ])('refuses a traversal or unsafe name: %s', (_, raw) => {
    expect(parseFilePath(withFileName(raw))).toBeNull();
    expect(parseFilePath(`/${raw}/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/CPE.nbt`)).toBeNull();
  });

  it('refuses ".." spelled as path segments, which changes the segment count', () => {
    expect(parseFilePath('/UCPhone/Polycom/CX600/A/ENU/CPE/../../../../../etc/passwd')).toBeNull();
    expect(parseFilePath('/UCPhone/Polycom/CX600/A/ENU/../4.0.7577.4372/CPE.nbt')).toBeNull();
  });

  it('decodes only once: %252e%252e is the literal name "%2e%2e", not ".."', () => {
    const location = parseFilePath(withFileName('%252e%252e'));
    expect(location?.fileName).toBe('%2e%2e');
    expect(parseFilePath(withFileName('%252f'))?.fileName).toBe('%2f');
  });

  it.each([
    ['a lone %', '%'],
    ['a truncated escape', '%2'],
    ['a non-hex escape', '%zz'],
    ['invalid UTF-8', '%C3'],
    ['an overlong encoding of "."', '%C0%AE%C0%AE'],
    ['an encoded surrogate', '%ED%A0%80'],
    ['a raw unpaired surrogate', 'a\uD800b'],
  ])('refuses malformed percent-encoding without throwing: %s', (_, raw) => {
    expect(parseFilePath(withFileName(raw))).toBeNull();
  });
});

describe('parseExternalFilePath', () => {
  const TOKEN = '1795852800.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE';

  it('reads the token segment and the file after it', () => {
    expect(parseExternalFilePath(`${tokenSegment(TOKEN)}${PATH}`)).toEqual({ token: TOKEN, location: CPE });
  });

  it('takes an encoded ~ as the same segment (RFC 3986: ~ is unreserved), decoded once only', () => {
    expect(parseExternalFilePath(`/%7E${TOKEN}${PATH}`)).toEqual({ token: TOKEN, location: CPE });
    expect(parseExternalFilePath(`/%7e${TOKEN}${PATH}`)).toEqual({ token: TOKEN, location: CPE });
    expect(parseExternalFilePath(`/%257E${TOKEN}${PATH}`)).toEqual({ token: null, location: null });
  });

  it('has no token when the first segment is none, and reads the file all the same', () => {
    expect(parseExternalFilePath(PATH)).toEqual({ token: null, location: CPE });
  });

  it.each([
    ['a doubled token', `/~${TOKEN}/~${TOKEN}${PATH}`, TOKEN],
    ['a token in the middle', `/UCPhone/Polycom/~${TOKEN}/CX600/A/ENU/4.0.7577.4372/CPE/CPE.nbt`, null],
    ['a token in place of a segment', `/~${TOKEN}/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/CPE.nbt`, TOKEN],
    ['a token and a traversal', `/~${TOKEN}/../../../../../../etc/passwd`, TOKEN],
    ['a token and an encoded traversal', `/~${TOKEN}/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/..%2f..%2fetc%2fpasswd`, TOKEN],
    ['a token and ".." for the file', `/~${TOKEN}/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4372/CPE/%2e%2e`, TOKEN],
    ['a query string', `/~${TOKEN}${PATH}?t=${TOKEN}`, null],
  ])('names no file for %s', (_, path, token) => {
    expect(parseExternalFilePath(path)).toEqual({ token, location: null });
  });

  it('keeps an encoded slash inside the token segment, where it makes a token no signature matches', () => {
    expect(parseExternalFilePath(`/~${TOKEN}%2f..${PATH}`)).toEqual({ token: `${TOKEN}/..`, location: CPE });
  });

  it('refuses malformed percent-encoding anywhere without throwing', () => {
    for (const path of [`/~%zz${PATH}`, `/~${TOKEN}/%C0%AE${PATH}`, '/', '', '/~', '/~/']) {
      expect(parseExternalFilePath(path).location).toBeNull();
    }
    expect(parseExternalFilePath(undefined as unknown as string)).toEqual({ token: null, location: null });
  });
});
