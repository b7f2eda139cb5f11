const utf8 = new TextDecoder('utf-8', { fatal: false });
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/**
 * A CFFILE name as stored: UTF-8 when the entry has the 0x80 attribute, otherwise one byte per
 * character (decoded as Latin-1, as cabextract lists them). Invalid UTF-8 becomes U+FFFD.
 */
export function decodeCabName(bytes: Uint8Array, isUtf8: boolean): string {
  return isUtf8 ? utf8.decode(bytes) : latin1.decode(bytes);
}

/**
 * Why a stored name is unsafe to turn into a path, or undefined when it is safe. A name is refused
 * when it could escape the folder it is extracted into, or be read differently by another tool:
 * empty, absolute (`/` or `\` first), a drive letter (`C:`), a `..` component (with either
 * separator), a NUL, or bytes that are not valid UTF-8 in a UTF-8 name (overlong encodings of `/`
 * and NUL are the classic way past naive checks).
 */
export function unsafeNameReason(bytes: Uint8Array, isUtf8: boolean, name: string): string | undefined {
  if (bytes.length === 0) return 'the name is empty';
  if (isUtf8) {
    try {
      strictUtf8.decode(bytes);
    } catch {
      return 'the name is marked UTF-8 but is not valid UTF-8';
    }
  }
  if (name.includes('\0')) return 'the name contains a NUL';
  if (name.startsWith('/') || name.startsWith('\\')) return 'the name is an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'the name starts with a drive letter';
  if (name.split(/[\\/]/).includes('..')) return 'the name has a ".." component';
  return undefined;
}
