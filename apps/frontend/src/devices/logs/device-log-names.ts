/**
 * What a device log's name may be. The name a device sends is only ever shown (in the admin API and
 * in the `Content-Disposition` of a download), never used as a path: the object's key is made of
 * the upload's date and id. Still, it is reduced to a base name a person can read safely.
 */

/** Fits `device_logs.file_name` (varchar 255), counted in code points as Postgres counts them. */
export const MAX_LOG_FILE_NAME_LENGTH = 255;

/**
 * C0 and C1 controls, DEL, invisible format characters (bidi overrides that disguise a name), line
 * separators, and halves of a surrogate pair (no UTF-8 for them: Postgres and headers refuse them).
 */
const UNSAFE_CHARACTERS = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/gu;

/**
 * The safe base name of a file name a device sent, or null when nothing usable is left:
 * - the directory part goes, whichever slash separates it (`../../etc/passwd` is `passwd`,
 *   `..\x.txt` is `x.txt`);
 * - control and invisible format characters go;
 * - surrounding white space and trailing dots go (Windows drops them too), and a name of dots
 *   only (`.`, `..`) is refused;
 * - it is cut to MAX_LOG_FILE_NAME_LENGTH code points, keeping its extension.
 */
export function safeLogFileName(name: string): string | null {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(UNSAFE_CHARACTERS, '').trim().replace(/[.\s]+$/u, '');
  if (cleaned === '' || /^\.+$/.test(cleaned)) {
    return null;
  }
  const characters = Array.from(cleaned);
  if (characters.length <= MAX_LOG_FILE_NAME_LENGTH) {
    return cleaned;
  }
  const extension = Array.from(logFileExtension(cleaned) ?? '');
  const keep = extension.length < MAX_LOG_FILE_NAME_LENGTH / 2 ? extension : [];
  return [...characters.slice(0, MAX_LOG_FILE_NAME_LENGTH - keep.length), ...keep].join('');
}

/** The extension of a file name, lower-cased with its dot (`.clg1`), or null when it has none. */
export function logFileExtension(name: string): string | null {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) {
    return null;
  }
  return name.slice(dot).toLowerCase();
}

/** The configured spelling of a log type, matched case-insensitively; null when none matches. */
export function matchLogType(logType: string, validTypes: readonly string[]): string | null {
  const wanted = logType.toLowerCase();
  return validTypes.find((type) => type.toLowerCase() === wanted) ?? null;
}

/** Whether an extension is one of the configured ones, whatever the case of either. */
export function isValidLogFileExtension(extension: string, validExtensions: readonly string[]): boolean {
  return validExtensions.some((valid) => valid.toLowerCase() === extension);
}

/**
 * `attachment` with the name twice (RFC 6266): `filename` in printable ASCII for old clients
 * (other characters, quotes and backslashes become `_`), and `filename*` with the exact name in
 * UTF-8, percent-encoded. Nothing from the name can end the header value or start another header.
 */
export function attachmentDisposition(fileName: string): string {
  const printable = (character: string) => /^[\x20-\x7e]$/.test(character) && character !== '"' && character !== '\\';
  const fallback = Array.from(fileName, (character) => (printable(character) ? character : '_')).join('');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
