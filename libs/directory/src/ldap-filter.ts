/**
 * Escapes a value for an LDAP search filter (RFC 4515, section 3): `*`, `(`, `)`, `\` and NUL
 * become `\2a`, `\28`, `\29`, `\5c`, `\00`, so a user id can only ever be compared with, never
 * widen or restructure the search; the other control characters are escaped too, so a filter is
 * printable. Characters beyond ASCII stay as they are, as RFC 4515 allows (UTF-8 in the value):
 * ldapts reads each `\XX` of a filter as one character, not as a byte, and would turn the escaped
 * bytes of `é` into two wrong characters.
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f*()\\]/g, (char) => `\\${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
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
