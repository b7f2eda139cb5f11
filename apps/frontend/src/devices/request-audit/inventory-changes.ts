import { type AnsweredCheck, deviceKey, INVENTORY_TOUCH_MINUTES } from '@ucupdates/database';

/** Devices remembered; past this the oldest are forgotten (their next check writes once more). */
const MAX_DEVICES = 200_000;

const TOUCH_MS = INVENTORY_TOUCH_MINUTES * 60_000;

interface Seen {
  /** What the inventory entry holds besides the times and the node. */
  state: string;
  writtenAt: number;
}

/**
 * Which checks need their device's inventory entry written: this node remembers what it last wrote
 * of each device, and a device checking again with the same kind, versions, address, user and
 * test-device flag is written again only INVENTORY_TOUCH_MINUTES later (its last-seen time is that
 * coarse). The statement applies the same rule against the row itself (a device another node
 * wrote, a node restarted), so this is a saving, never the only check. Pure, bounded memory.
 */
export class InventoryChanges {
  private readonly seen = new Map<string, Seen>();

  /** Whether `check` is to be written to the inventory; remembers it as written if so. */
  changed(check: AnsweredCheck): boolean {
    const { request } = check;
    const key = deviceKey(request.macAddress, request.serialNumber, request.controllerId ?? null);
    let state = `${request.deviceType}\n${request.vendor}\n${request.model}\n${request.revision}\n${request.locale}\n${check.address}\n${check.userId ?? ''}\n${check.isTestDevice}`;
    for (const module of request.modules) state += `\n${module.updateType}\t${module.version}`;
    const now = check.at.getTime();
    const last = this.seen.get(key);
    if (last !== undefined && last.state === state && now - last.writtenAt < TOUCH_MS && now >= last.writtenAt) return false;
    if (last !== undefined) this.seen.delete(key); // re-inserted last: the Map's order is the eviction order
    else if (this.seen.size >= MAX_DEVICES) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, { state, writtenAt: now });
    return true;
  }

  /** Forgets everything (a batch that was remembered as written was not). */
  clear(): void {
    this.seen.clear();
  }
}
