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
