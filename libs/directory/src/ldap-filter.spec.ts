import { escapeFilterValue, userFilter } from './ldap-filter';

describe('LDAP filter escaping (RFC 4515)', () => {
  it.each([
    ['*', '\\2a'],
    ['(', '\\28'],
    [')', '\\29'],
    ['\\', '\\5c'],
    ['\u0000', '\\00'],
    ['alice*)(uid=*', 'alice\\2a\\29\\28uid=\\2a'],
    ['*)(|(objectClass=*', '\\2a\\29\\28|\\28objectClass=\\2a'],
    ['caf\u00e9', 'caf\u00e9'],
    ['\u{1F600}*', '\u{1F600}\\2a'],
    ['\u007f', '\\7f'],
    ['tab\there', 'tab\\09here'],
  ])('escapes %j as %j', (value, escaped) => {
    expect(escapeFilterValue(value)).toBe(escaped);
  });

  it('leaves ordinary user ids as they are', () => {
    expect(escapeFilterValue('sip:alice.smith-2@contoso.com')).toBe('sip:alice.smith-2@contoso.com');
  });

  it('leaves no special or control character outside an escape, whatever the input', () => {
    for (let code = 0; code < 0x300; code++) {
      const escaped = escapeFilterValue(`a${String.fromCharCode(code)}b`);
      expect(escaped.replace(/\\[0-9a-f]{2}/g, '')).not.toMatch(/[*()\\\u0000-\u001f\u007f]/);
    }
  });

  it('puts the user id in for {userId} and without sip: for {user}', () => {
    expect(userFilter('(msRTCSIP-PrimaryUserAddress={userId})', 'sip:alice@contoso.com')).toBe(
      '(msRTCSIP-PrimaryUserAddress=sip:alice@contoso.com)',
    );
    expect(userFilter('(&(objectClass=person)(mail={user}))', 'SIP:alice@contoso.com')).toBe('(&(objectClass=person)(mail=alice@contoso.com))');
    expect(userFilter('(uid={user})', 'bob')).toBe('(uid=bob)');
  });

  it('escapes what it puts in, so an injected filter stays one value', () => {
    expect(userFilter('(mail={user})', 'sip:*)(mail=*')).toBe('(mail=\\2a\\29\\28mail=\\2a)');
    expect(userFilter('(mail={user})', '{userId}')).toBe('(mail={userId})');
  });
});
