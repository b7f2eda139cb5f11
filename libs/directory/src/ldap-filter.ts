/**
 * Escapes a value for an LDAP search filter (RFC 4515, section 3): `*`, `(`, `)`, `\` and NUL
 * become `\2a`, `\28`, `\29`, `\5c`, `\00`, so a user id can only ever be compared with, never
 * widen or restructure the search. Every byte outside printable ASCII is escaped too (as the
 * `\XX` of its UTF-8 bytes, which RFC 4515 allows for any octet): the filter sent is plain ASCII
 * whatever the phone typed, and the directory compares the same UTF-8 value.
 */
export function escapeFilterValue(value: string): string {
  let escaped = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const printable = byte >= 0x20 && byte < 0x7f && byte !== 0x2a && byte !== 0x28 && byte !== 0x29 && byte !== 0x5c;
    escaped += printable ? String.fromCharCode(byte) : `\\${byte.toString(16).padStart(2, '0')}`;
  }
  return escaped;
}

/**
 * A configured filter with the signing-in user put in: `{userId}` is the id as the device sent it
 * (`sip:alice@contoso.com`, what Active Directory's msRTCSIP-PrimaryUserAddress holds), `{user}`
 * the same without a leading `sip:` (`alice@contoso.com`, what `mail` holds). Both escaped.
 */
export function userFilter(template: string, userId: string): string {
  const user = userId.replace(/^sip:/i, '');
  return template.replace(/\{(userId|user)\}/g, (_, name: string) => escapeFilterValue(name === 'userId' ? userId : user));
}
