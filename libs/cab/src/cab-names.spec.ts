import { decodeCabName, unsafeNameReason } from './cab-names';

function reason(name: string | Buffer, isUtf8 = false): string | undefined {
  const bytes = typeof name === 'string' ? Buffer.from(name, isUtf8 ? 'utf8' : 'latin1') : name;
  return unsafeNameReason(bytes, isUtf8, decodeCabName(bytes, isUtf8));
}

describe('cab file names', () => {
  const safe = ['update.xml', 'CX600\\CPE.nbt', 'a/b/c.txt', 'dir\\..x\\f', '..hidden', 'x..', 'a\\.\\b', 'C-d\\x:y'];

  it.each(safe)('accepts %j', (name) => {
    expect(reason(name)).toBeUndefined();
  });

  it.each([
    ['', 'empty'],
    ['/etc/passwd', 'absolute'],
    ['\\Windows\\x', 'absolute'],
    ['C:\\hi.c', 'drive letter'],
    ['c:relative', 'drive letter'],
    ['..\\up', '".."'],
    ['a/../../b', '".."'],
    ['a\\..', '".."'],
    ['a\0b', 'NUL'],
  ])('refuses %j (%s)', (name, why) => {
    expect(reason(name)).toContain(why);
  });

  it('decodes UTF-8 names only when flagged, Latin-1 otherwise', () => {
    const bytes = Buffer.from('Grüße/日本.txt', 'utf8');
    expect(decodeCabName(bytes, true)).toBe('Grüße/日本.txt');
    expect(decodeCabName(Buffer.from([0x47, 0xfc]), false)).toBe('Gü');
    expect(reason(bytes, true)).toBeUndefined();
  });

  it('refuses invalid UTF-8 in a UTF-8 name, such as an overlong "/"', () => {
    const overlong = Buffer.from([0x61, 0xc0, 0xaf, 0x2e, 0x2e, 0xc0, 0xaf, 0x62]);
    expect(reason(overlong, true)).toContain('not valid UTF-8');
    expect(decodeCabName(overlong, true)).toBe('a\ufffd\ufffd..\ufffd\ufffdb');
  });
});
