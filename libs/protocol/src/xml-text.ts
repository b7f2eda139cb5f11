/**
 * Characters XML 1.0 cannot carry at all, not even as a character reference: C0 controls other
 * than tab, line feed and carriage return, U+FFFE, U+FFFF and unpaired surrogates.
 */
const NOT_XML_CHARACTER = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|\p{Cs}/u;
const NOT_XML_CHARACTERS = new RegExp(NOT_XML_CHARACTER.source, 'gu');

/** Any character escapeXml changes: most values (versions, hashes, URLs) have none. */
const NEEDS_ESCAPING = new RegExp(`[&<>"']|${NOT_XML_CHARACTER.source}`, 'u');

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Text made safe for element content and attribute values. A character XML cannot carry becomes
 * U+FFFD, so that whatever a value holds, the answer stays well-formed for the phone.
 */
export function escapeXml(text: string): string {
  if (!NEEDS_ESCAPING.test(text)) return text;
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]).replace(NOT_XML_CHARACTERS, '\uFFFD');
}

/** The index of the first character XML cannot carry, or -1. */
export function indexOfNonXmlCharacter(text: string): number {
  return text.search(NOT_XML_CHARACTER);
}

/** Whether a code point (from a character reference) is one XML 1.0 allows. */
export function isXmlCodePoint(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

/** The 1-based line of a position in a text, for messages. */
export function lineAt(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < index; at = text.indexOf('\n', at + 1)) {
    line++;
  }
  return line;
}
