import {
  attachmentDisposition,
  isValidLogFileExtension,
  logFileExtension,
  MAX_LOG_FILE_NAME_LENGTH,
  matchLogType,
  safeLogFileName,
} from './device-log-names';

describe('safeLogFileName', () => {
  it.each([
    ['crash.dmp', 'crash.dmp'],
    ['../../etc/passwd', 'passwd'],
    ['..\\x.txt', 'x.txt'],
    ['C:\\Windows\\system32\\config.sys', 'config.sys'],
    ['/var/log/../CELog.clg', 'CELog.clg'],
    ['  spaced name.txt  ', 'spaced name.txt'],
    ['trailing.txt. . ', 'trailing.txt'],
    ['bell\u0007and\u0000nul\u001b[31m.txt', 'bellandnul[31m.txt'],
    ['evil\u202etxt.exe', 'eviltxt.exe'],
    ['line\r\nbreak.txt', 'linebreak.txt'],
    ['half\ud800pair.txt', 'halfpair.txt'],
    ['.hidden.txt', '.hidden.txt'],
    ['Протокол.txt', 'Протокол.txt'],
  ])('reduces %j to %j', (name, safe) => {
    expect(safeLogFileName(name)).toBe(safe);
  });

  it.each(['', '.', '..', '...', '../..', 'dir/', 'a\\', '\u0000\u0001', '   ', '%2e%2e/..'])('refuses %j', (name) => {
    expect(safeLogFileName(name)).toBeNull();
  });

  it('keeps a percent-encoded name as it is (the router decoded the path already)', () => {
    expect(safeLogFileName('%2e%2e')).toBe('%2e%2e');
  });

  it(`cuts a long name to ${MAX_LOG_FILE_NAME_LENGTH} code points, keeping the extension`, () => {
    const safe = safeLogFileName(`${'a'.repeat(400)}.clg1`)!;
    expect(safe).toHaveLength(MAX_LOG_FILE_NAME_LENGTH);
    expect(safe.endsWith('.clg1')).toBe(true);
    const emoji = safeLogFileName(`${'😀'.repeat(300)}.txt`)!;
    expect(Array.from(emoji)).toHaveLength(MAX_LOG_FILE_NAME_LENGTH);
    expect(emoji.endsWith('😀.txt')).toBe(true);
  });
});

describe('logFileExtension', () => {
  it.each([
    ['a.TXT', '.txt'],
    ['archive.tar.clg1', '.clg1'],
    ['noextension', null],
    ['.hidden', null],
    ['dot.', null],
  ])('of %j is %j', (name, extension) => {
    expect(logFileExtension(name)).toBe(extension);
  });
});

describe('log types and extensions', () => {
  it('matches a log type case-insensitively and gives the configured spelling', () => {
    expect(matchLogType('celog', ['Watson', 'CELog'])).toBe('CELog');
    expect(matchLogType('Other', ['Watson', 'CELog'])).toBeNull();
  });

  it('matches an extension case-insensitively', () => {
    expect(isValidLogFileExtension('.txt', ['.TXT'])).toBe(true);
    expect(isValidLogFileExtension('.exe', ['.txt'])).toBe(false);
  });
});

describe('attachmentDisposition', () => {
  it('quotes a plain name', () => {
    expect(attachmentDisposition('CELog.clg')).toBe(`attachment; filename="CELog.clg"; filename*=UTF-8''CELog.clg`);
  });

  it('keeps quotes, backslashes and other characters out of the quoted name', () => {
    const header = attachmentDisposition('a"b\\c;d é(1).txt');
    expect(header).toBe(`attachment; filename="a_b_c;d _(1).txt"; filename*=UTF-8''a%22b%5Cc%3Bd%20%C3%A9%281%29.txt`);
    expect(header).not.toMatch(/[\r\n]/);
  });
});
