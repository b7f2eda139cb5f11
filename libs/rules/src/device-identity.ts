import { quoteInput, RuleError, RuleErrorCode } from './rule-error';

const MIN_PAIRS = 6;
/** The longest link-layer address in common use (IP over InfiniBand, 20 bytes); bounds what is stored. */
const MAX_PAIRS = 20;
/** The stored form: MIN_PAIRS to MAX_PAIRS upper-case pairs joined by `-`. */
const STORED_MAC = /^[0-9A-F]{2}(?:-[0-9A-F]{2}){5,19}$/;

function invalidMac(text: string, why: string): RuleError {
  return new RuleError(RuleErrorCode.InvalidMacAddress, `${quoteInput(text)} is not a MAC address: ${why}`);
}

/**
 * A MAC address in its stored form: upper-case hex pairs joined by `-`. Accepts six to twenty pairs,
 * either joined (`0004f2abcdef`) or all separated by the same one of `-` and `:`; every separated
 * group must be exactly one pair (`0-4-f2-…` is refused, so is a mix of `-` and `:`).
 * Throws `RuleError(InvalidMacAddress)` saying why.
 */
export function normaliseMac(text: string): string {
  // Already in the stored form (every update check reads one): nothing to change.
  if (STORED_MAC.test(text)) return text;
  if (text === '') throw invalidMac(text, 'it is empty');
  let pairs: string[];
  if (/^[0-9A-Fa-f]+$/.test(text)) {
    if (text.length % 2 !== 0) throw invalidMac(text, 'an odd number of hex digits');
    pairs = text.match(/../g) ?? [];
  } else {
    const separator = text.includes('-') ? '-' : ':';
    pairs = text.split(separator);
    if (!pairs.every((pair) => /^[0-9A-Fa-f]{2}$/.test(pair))) {
      throw invalidMac(text, 'expected hex pairs, joined or all separated by "-" or by ":"');
    }
  }
  if (pairs.length < MIN_PAIRS) throw invalidMac(text, `${pairs.length} pairs; at least ${MIN_PAIRS} are needed`);
  if (pairs.length > MAX_PAIRS) throw invalidMac(text, `${pairs.length} pairs; at most ${MAX_PAIRS} are allowed`);
  return pairs.map((pair) => pair.toUpperCase()).join('-');
}

/** A serial number is one or more ASCII letters, digits, `-` and `_` (Lync's TestDevice identifier). */
export function isValidSerialNumber(text: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(text);
}
