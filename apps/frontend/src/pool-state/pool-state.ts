import { createHash } from 'node:crypto';
import type { DeviceUpdateConfiguration } from '@ucupdates/device-config';
import { ruleKey, type RuleKeyFields } from '@ucupdates/rules';

export interface CachedFile {
  name: string;
  role: string;
  sha256: string;
  size: number;
}

export interface CachedRule extends RuleKeyFields {
  id: string;
  approvedVersion: string | null;
  pendingVersion: string | null;
  rolledBackVersion: string | null;
  /** The files of the approved and pending versions, by version. */
  files: Record<string, CachedFile[]>;
}

export interface CachedTestDevice {
  scope: string;
  identifierType: string;
  identifier: string;
}

/**
 * What an update check needs, held in memory so a check costs no database round trip: the rules
 * by key, the test devices and the configurations. Immutable: a reload builds a new one.
 */
export class PoolState {
  readonly rulesByKey: ReadonlyMap<string, CachedRule>;
  /** A digest of the whole content: equal on two nodes when they hold the same state. */
  readonly digest: string;

  constructor(
    readonly rules: readonly CachedRule[],
    readonly testDevices: readonly CachedTestDevice[],
    readonly configurations: readonly DeviceUpdateConfiguration[],
    readonly loadedAt: Date,
  ) {
    this.rulesByKey = new Map(
      rules.map((rule) => [ruleKey(rule.deviceType, rule.brand, rule.model, rule.revision, rule.locale, rule.updateType), rule]),
    );
    this.digest = createHash('sha256').update(JSON.stringify([rules, testDevices, configurations])).digest('hex');
  }
}
