import { decideOffer, type Offer } from '@ucupdates/rules';
import type { DeviceKind, DeviceRequest } from '../device-request';
import { type CachedFile, type CachedRule, deviceKindKey, type PoolState } from '../pool-state/pool-state';

/** What one rule tells the device: the offer, and for an Install the files of the offered version. */
export interface PlannedModule {
  rule: CachedRule;
  offer: Offer;
  files: readonly CachedFile[];
}

export interface CheckPlan {
  isTestDevice: boolean;
  modules: PlannedModule[];
}

/** The part of a device's request an offer depends on. */
export type OfferedDevice = Pick<DeviceRequest, 'kind' | 'macAddress' | 'serialNumber' | 'controllerId' | 'installed'>;

/**
 * What the pool offers a device, decided from the in-memory pool state alone (phone-protocol.md):
 * every rule of the device's kind, one module per update type that has something to do. A device
 * that lists no module of a rule's update type has none of it installed. An Install whose files
 * the state does not hold (a version without files) is left out rather than answered with nothing
 * to download.
 */
export function planCheck(state: PoolState, device: OfferedDevice, site: string | undefined): CheckPlan {
  const isTestDevice =
    device.controllerId !== null
      ? state.isTestController(device.controllerId, site)
      : state.isTestDevice(device.macAddress, device.serialNumber, site);
  const { deviceType, brand, model, revision, locale } = device.kind;
  const rules = state.rulesByDeviceKind.get(deviceKindKey(deviceType, brand, model, revision, locale)) ?? [];
  const modules: PlannedModule[] = [];
  for (const rule of rules) {
    const updateType = rule.updateType.toLowerCase();
    const installed = device.installed.find((module) => module.updateType.toLowerCase() === updateType);
    const offer = decideOffer({ state: rule, isTestDevice, installedVersion: installed?.version ?? null });
    if (offer === null) continue;
    const files = offer.action === 'Install' ? (rule.files[offer.version] ?? []) : [];
    if (offer.action === 'Install' && files.length === 0) continue;
    modules.push({ rule, offer, files });
  }
  // In update-type order, so the same state gives the same answer on every node.
  modules.sort((a, b) => a.rule.updateType.toLowerCase().localeCompare(b.rule.updateType.toLowerCase()));
  return { isTestDevice, modules };
}

/**
 * The update type of the device kind's rule one of whose versions the state holds has an image
 * file of this name (case-insensitively); undefined when none has. A device that reports an
 * installed update by its file name alone (as Lync's request audit does) is known by it.
 */
export function updateTypeOfImage(state: PoolState, kind: DeviceKind, fileName: string): string | undefined {
  const wanted = fileName.toLowerCase();
  const rules = state.rulesByDeviceKind.get(deviceKindKey(kind.deviceType, kind.brand, kind.model, kind.revision, kind.locale)) ?? [];
  return rules.find((rule) =>
    Object.values(rule.files).some((files) => files.some((file) => file.role === 'image' && file.name.toLowerCase() === wanted)),
  )?.updateType;
}
