/** The six attributes that identify a rule (Lync's DeviceUpdateRule), as every view of one carries them. */
export interface RuleKeyFields {
  deviceType: string;
  brand: string;
  model: string;
  revision: string;
  locale: string;
  updateType: string;
}

/**
 * The key of a rule for in-memory lookup: the six attributes lower-cased, as the database's citext
 * columns compare them. JSON of the array keeps the parts apart whatever characters they hold, so
 * two different keys never make the same string. Values are taken as given (not trimmed), as the
 * database stores them.
 */
export function ruleKey(
  deviceType: string,
  brand: string,
  model: string,
  revision: string,
  locale: string,
  updateType: string,
): string {
  return JSON.stringify([deviceType, brand, model, revision, locale, updateType].map((part) => part.toLowerCase()));
}

/**
 * A rule's key as administrators write it and Lync shows it: the six fields joined by `/`
 * (`UCPhone/Polycom/CX600/A/ENU/CPE`). No field holds a `/` (isRuleKeyField), so it reads back
 * unambiguously.
 */
export function ruleKeyText(key: RuleKeyFields): string {
  return [key.deviceType, key.brand, key.model, key.revision, key.locale, key.updateType].join('/');
}

/**
 * A rule key field's form (update-package.md): 1-64 letters, digits, `.`, `_` and `-`, starting
 * with a letter or digit, since every field becomes a URL path segment of the files' locations.
 */
const RULE_KEY_FIELD = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isRuleKeyField(text: string): boolean {
  return RULE_KEY_FIELD.test(text);
}
