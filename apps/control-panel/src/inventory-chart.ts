import type { ModelVersionCountView } from '@ucupdates/admin-api';

/** The inventory's version distribution, per model and update type, from the summary's counts (pure, so it is tested alone). */
export interface Distribution {
  /** `<brand> <model> — <update type>` */
  label: string;
  total: number;
  versions: { version: string; count: number }[];
}

export function versionDistribution(counts: readonly ModelVersionCountView[]): Distribution[] {
  const groups = new Map<string, Map<string, number>>();
  for (const count of counts) {
    const label = `${count.brand} ${count.model} — ${count.updateType}`;
    const versions = groups.get(label) ?? new Map<string, number>();
    versions.set(count.version, (versions.get(count.version) ?? 0) + count.devices);
    groups.set(label, versions);
  }
  return [...groups.entries()]
    .map(([label, versions]) => ({
      label,
      total: [...versions.values()].reduce((sum, count) => sum + count, 0),
      versions: [...versions.entries()]
        .map(([version, count]) => ({ version, count }))
        .sort((a, b) => compareVersions(b.version, a.version)),
    }))
    .sort((a, b) => b.total - a.total || a.label.localeCompare(b.label));
}

/** `87.5 %`: a part of a whole, one decimal; `—` of nothing. */
export function percent(part: number, whole: number): string {
  return whole === 0 ? '—' : `${((100 * part) / whole).toFixed(1)} %`;
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
