import type { DeviceView } from '@ucupdates/admin-api';

/** The inventory's version distribution, per model and update type (pure, so it is tested alone). */
export type InventoryDevice = Pick<DeviceView, 'model' | 'brand' | 'modules'>;

export interface Distribution {
  /** `<brand> <model> — <update type>` */
  label: string;
  total: number;
  versions: { version: string; count: number }[];
}

export function versionDistribution(devices: InventoryDevice[]): Distribution[] {
  const groups = new Map<string, Map<string, number>>();
  for (const device of devices) {
    for (const module of device.modules) {
      const label = `${device.brand} ${device.model} — ${module.updateType}`;
      const counts = groups.get(label) ?? new Map<string, number>();
      counts.set(module.version, (counts.get(module.version) ?? 0) + 1);
      groups.set(label, counts);
    }
  }
  return [...groups.entries()]
    .map(([label, counts]) => ({
      label,
      total: [...counts.values()].reduce((sum, count) => sum + count, 0),
      versions: [...counts.entries()]
        .map(([version, count]) => ({ version, count }))
        .sort((a, b) => compareVersions(b.version, a.version)),
    }))
    .sort((a, b) => b.total - a.total || a.label.localeCompare(b.label));
}

/** Dotted versions compared part by part as numbers where they are numbers (4.0.7577.10 > 4.0.7577.9). */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.');
  const right = b.split('.');
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const x = left[i] ?? '';
    const y = right[i] ?? '';
    const difference = /^\d+$/.test(x) && /^\d+$/.test(y) ? Number(x) - Number(y) : x.localeCompare(y);
    if (difference !== 0) {
      return Math.sign(difference);
    }
  }
  return 0;
}

/** Colours told apart also by people with the common colour-vision deficiencies (Okabe-Ito). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
