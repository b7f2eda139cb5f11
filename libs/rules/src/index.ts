export { DDI_DEVICE_TYPE, ddiDeviceKind, isDdiDeviceType, isValidControllerId, NEUTRAL_LOCALE } from './ddi-device';
export type { DdiAttributes } from './ddi-device';
export { isValidSerialNumber, normaliseMac } from './device-identity';
export { decideOffer, offeredVersion } from './offer';
export type { Offer, OfferAction, OfferInput } from './offer';
export { RuleError, RuleErrorCode } from './rule-error';
export { isRuleKeyField, ruleKey, ruleKeyText } from './rule-key';
export type { RuleKeyFields } from './rule-key';
export {
  approve,
  emptyRuleState,
  ImportOutcome,
  importVersion,
  referencedVersions,
  remove,
  reset,
  restore,
  ruleStateOf,
} from './rule-state';
export type { ImportTransition, RuleChange, RuleField, RuleState, RuleTransition } from './rule-state';
export { compareVersions, isValidVersion, normaliseVersion, parseVersion, sameVersion } from './version';
