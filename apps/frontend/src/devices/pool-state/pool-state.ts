import { createHash } from 'node:crypto';
import type { TestDeviceIdentifierType, TestDeviceRow } from '@ucupdates/database';
import type { DeviceUpdateConfiguration } from '@ucupdates/device-config';
import { GLOBAL_SCOPE } from '@ucupdates/device-config';
import { ruleKey, type RuleKeyFields } from '@ucupdates/rules';

export interface CachedFile {
  name: string;
  role: string;
  sha256: string;
  /** What DDI devices are told beside the SHA-256; null for a file stored before they were kept. */
  sha1: string | null;
  md5: string | null;
  size: number;
}

export interface CachedRule extends RuleKeyFields {
  id: string;
  approvedVersion: string | null;
  pendingVersion: string | null;
  rolledBackVersion: string | null;
  restoreVersion: string | null;
  /** When the rule last changed (ms since 1970): a DDI failure older than that no longer holds its version back. */
  changedAt: number;
  /**
   * The files of the approved, pending and restore versions, by version, and of the versions a
   * reset or restore retired less than UCU_RETIRED_VERSION_GRACE_SECONDS ago. The restore
   * version's and the retired ones' stay reachable so a device that was offered a version just
   * before a change finishes its download.
   */
  files: Record<string, CachedFile[]>;
  /** The retired versions among `files`: until when (ms since 1970) their files are served. */
  servedUntil: Record<string, number>;
}

/** A test device: its scope, identifier type (MACAddress, SerialNumber, ControllerId) and identifier. */
export type CachedTestDevice = TestDeviceRow;

/**
 * What an update check needs, held in memory so a check costs no database round trip: the rules
 * by key, the test devices and the configurations. Immutable: a reload builds a new one.
 */
export class PoolState {
  readonly rulesByKey: ReadonlyMap<string, CachedRule>;
  /** The rules of each device kind (the five attributes but the update type), by deviceKindKey. */
  readonly rulesByDeviceKind: ReadonlyMap<string, readonly CachedRule[]>;
  private readonly testDeviceKeys: ReadonlySet<string>;
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
    const byKind = new Map<string, CachedRule[]>();
    for (const rule of rules) {
      const kind = deviceKindKey(rule.deviceType, rule.brand, rule.model, rule.revision, rule.locale);
      byKind.set(kind, [...(byKind.get(kind) ?? []), rule]);
    }
    this.rulesByDeviceKind = byKind;
    this.testDeviceKeys = new Set(
      testDevices.map((device) => testDeviceKey(device.scope, device.identifierType, device.identifier)),
    );
    this.digest = createHash('sha256').update(JSON.stringify([rules, testDevices, configurations])).digest('hex');
  }

  /** Whether the device's MAC address or serial number is a test device in scope (global, or the pool's site). */
  isTestDevice(macAddress: string | null, serialNumber: string | null, site: string | undefined): boolean {
    return (
      (macAddress !== null && this.isTestIdentifier('MACAddress', macAddress, site)) ||
      (serialNumber !== null && this.isTestIdentifier('SerialNumber', serialNumber, site))
    );
  }

  /** Whether a DDI device's controller id is a test device in scope (ddi.md: identifier type ControllerId). */
  isTestController(controllerId: string, site: string | undefined): boolean {
    return this.isTestIdentifier('ControllerId', controllerId, site);
  }

  private isTestIdentifier(identifierType: TestDeviceIdentifierType, identifier: string, site: string | undefined): boolean {
    if (this.testDeviceKeys.size === 0) return false;
    return (
      this.testDeviceKeys.has(testDeviceKey(GLOBAL_SCOPE, identifierType, identifier)) ||
      (site !== undefined && site !== '' && this.testDeviceKeys.has(testDeviceKey(`site:${site}`, identifierType, identifier)))
    );
  }
}

/**
 * The key of a device kind: a rule key without the update type, its parts lower-case. Each part is
 * preceded by its length, so no two kinds share a key whatever their parts hold (a device's come
 * from its request); built once per check, so a template rather than an array and JSON.
 */
export function deviceKindKey(deviceType: string, brand: string, model: string, revision: string, locale: string): string {
  return `${part(deviceType)}${part(brand)}${part(model)}${part(revision)}${part(locale)}`;
}

/** Scopes, identifier types and identifiers compare case-insensitively (MACs are stored upper-case). */
function testDeviceKey(scope: string, identifierType: string, identifier: string): string {
  return `${part(scope)}${part(identifierType)}${part(identifier)}`;
}

/** One part of a key: its length, a colon and the part, lower-case. */
function part(text: string): string {
  const lower = text.toLowerCase();
  return `${lower.length}:${lower}`;
}
