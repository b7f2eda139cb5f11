import { RuleState } from './rule-state';
import { sameVersion } from './version';

/** `<Action>` of a response module: install these files, or go back to the kept backup image. */
export type OfferAction = 'Install' | 'RestoreBackup';

/**
 * What one rule tells one device. `Install` carries the version whose files are sent;
 * `RestoreBackup` carries the rolled-back version the device reported, and no files.
 */
export type Offer = { action: 'Install'; version: string } | { action: 'RestoreBackup'; version: string };

export interface OfferInput {
  state: Pick<RuleState, 'approvedVersion' | 'pendingVersion' | 'rolledBackVersion'>;
  /** The device's MAC or serial number matches a test device in scope. */
  isTestDevice: boolean;
  /**
   * The version the device reports for the rule's update type; null when it lists no module of
   * that type. An empty or blank version counts as none installed.
   */
  installedVersion: string | null;
}

/** The version a device should run: a test device's is the pending one if any, everyone's the approved one. */
export function offeredVersion(state: OfferInput['state'], isTestDevice: boolean): string | null {
  if (isTestDevice && state.pendingVersion !== null) return state.pendingVersion;
  return state.approvedVersion;
}

/**
 * The offer decision for one rule and one device (phone-protocol.md). The offered version is sent
 * whenever it differs from the installed one, older or not ("devices always receive an approved
 * update as long as the version number is different"), so a restore reaches devices as a plain
 * Install of the older version. A device with none installed is offered whatever there is. With
 * nothing to offer, a device still on the version a restore took away is told RestoreBackup
 * (Lync: "the update being rolled back will simply be uninstalled"); any other device gets nothing.
 */
export function decideOffer(input: OfferInput): Offer | null {
  const installed = input.installedVersion?.trim() || null;
  const target = offeredVersion(input.state, input.isTestDevice);
  if (target !== null) {
    return sameVersion(target, installed) ? null : { action: 'Install', version: target };
  }
  const rolledBack = input.state.rolledBackVersion;
  if (rolledBack !== null && installed !== null && sameVersion(rolledBack, installed)) {
    return { action: 'RestoreBackup', version: rolledBack };
  }
  return null;
}
