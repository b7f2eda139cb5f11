import type { RuleKeyFields } from './rule-key';

/**
 * Devices that speak hawkBit's DDI API (ddi.md) are matched by the same rules as phones: a rule of
 * device type `DDI` whose brand is the device's `vendor`, model its `model`, revision its
 * `hwRevision` and locale its `locale`, or `Neutral` for a device that names none.
 */
export const DDI_DEVICE_TYPE = 'DDI';

/** The locale of a DDI device that names none: Lync's name for "any language". */
export const NEUTRAL_LOCALE = 'Neutral';

/** The attributes of a DDI device that its rules are chosen by, as configData or an administrator sets them. */
export interface DdiAttributes {
  vendor: string;
  model: string;
  hwRevision: string;
  locale?: string | null;
}

/** Whether a rule key's or a request's device type is DDI's (compared case-insensitively, as rules are). */
export function isDdiDeviceType(deviceType: string): boolean {
  return deviceType.toLowerCase() === DDI_DEVICE_TYPE.toLowerCase();
}

/** A controller id of ddi.md: 1-64 letters, digits, `.`, `_`, `-` and `:`. */
export function isValidControllerId(text: string): boolean {
  return /^[A-Za-z0-9._:-]{1,64}$/.test(text);
}

/** The rule key of a DDI device but the update type, which comes from the package. */
export function ddiDeviceKind(attributes: DdiAttributes): Omit<RuleKeyFields, 'updateType'> {
  return {
    deviceType: DDI_DEVICE_TYPE,
    brand: attributes.vendor,
    model: attributes.model,
    revision: attributes.hwRevision,
    locale: attributes.locale || NEUTRAL_LOCALE,
  };
}
