import { quoteInput, RuleError, RuleErrorCode } from './rule-error';

const MAX_PARTS = 4;
/** Lync's limit on a version's length (update-package.md): `4.0.7577.4372` is 13. */
export const MAX_VERSION_LENGTH = 20;
/** Lync is .NET: a System.Version part is an Int32, so no update can carry a larger number. */
const MAX_PART = 2 ** 31 - 1;

/** The parts of a version, or why the text is not one. */
function parse(text: string): { parts: number[] } | { reason: string } {
  if (text === '') return { reason: 'it is empty' };
  if (text.length > MAX_VERSION_LENGTH) return { reason: `it has ${text.length} characters; at most ${MAX_VERSION_LENGTH} are allowed` };
  if (text.startsWith('.')) return { reason: 'it starts with "."' };
  if (text.endsWith('.')) return { reason: 'it ends with "."' };
  const pieces = text.split('.');
  if (pieces.length > MAX_PARTS) return { reason: `it has ${pieces.length} parts; at most ${MAX_PARTS} are allowed` };
  const parts: number[] = [];
  for (const [index, piece] of pieces.entries()) {
    if (piece === '') return { reason: `part ${index + 1} is empty` };
    // Digits only: refuses signs, spaces, exponents and hex that Number() would otherwise accept.
    if (!/^[0-9]+$/.test(piece)) return { reason: `part ${index + 1} (${quoteInput(piece)}) is not a whole number` };
    const value = Number(piece);
    if (value > MAX_PART) return { reason: `part ${index + 1} is above ${MAX_PART}` };
    parts.push(value);
  }
  return { parts };
}

/**
 * The numbers of a dotted version of one to four parts (`4.0.7577.4372`), at most 20 characters
 * as written (Lync's limit). Leading zeros are
 * accepted and read as decimal (`4.01` is `4.1`). Throws `RuleError(InvalidVersion)` saying why.
 */
export function parseVersion(text: string): readonly number[] {
  const result = parse(text);
  if ('reason' in result) {
    throw new RuleError(RuleErrorCode.InvalidVersion, `${quoteInput(text)} is not a version: ${result.reason}`);
  }
  return result.parts;
}

export function isValidVersion(text: string): boolean {
  return 'parts' in parse(text);
}

/**
 * The form a version is stored, shown and put in URLs under: its numbers without leading zeros,
 * with as many parts as given (`4.0.07577` becomes `4.0.7577`, `1.2` stays `1.2`). Keeping the
 * number of parts keeps the package author's spelling; dropping leading zeros gives one spelling
 * per number so stored strings compare as the numbers do.
 */
export function normaliseVersion(text: string): string {
  return parseVersion(text).join('.');
}

/**
 * Compares number by number, a missing part counting as 0, so `1.2` equals `1.2.0`. (.NET's
 * System.Version ranks `1.2` below `1.2.0`; we do not, because a device reporting `1.2` while the
 * rule says `1.2.0` would otherwise be told to install the same image at every check.)
 * Negative when `a` is older, positive when newer, 0 when equal. Throws on an invalid version.
 */
export function compareVersions(a: string, b: string): number {
  return compareParts(parseVersion(a), parseVersion(b));
}

function compareParts(left: readonly number[], right: readonly number[]): number {
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

/**
 * Whether two possibly absent versions are the same version. Never throws, because it also judges
 * what a device reports: when either side is not a valid version the strings are compared as they
 * are, so a garbled installed version differs from every real one and the device is offered an update.
 * Every update check asks this once per rule, so equal strings (a device on the offered version)
 * are answered without parsing, and each side is parsed once.
 */
export function sameVersion(a: string | null, b: string | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  const left = parse(a);
  const right = parse(b);
  return 'parts' in left && 'parts' in right && compareParts(left.parts, right.parts) === 0;
}
