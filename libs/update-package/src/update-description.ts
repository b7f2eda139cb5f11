import { isDdiDeviceType, isRuleKeyField, normaliseVersion, RuleError, ruleKey, type RuleKeyFields } from '@ucupdates/rules';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { PackageRefusal, PackageRefusalCode } from './package-refusal';

/** One update of a package, from its `update.xml` (update-package.md), with its files resolved. */
export interface UpdateDescription extends RuleKeyFields {
  /** The `update.xml` entry, as named in the cabinet (for messages). */
  descriptionPath: string;
  /** Normalised dotted version (libs/rules). */
  version: string;
  /** Cabinet entry names (as stored) of the image and the catalog. */
  imageEntry: string;
  /** Null for a DDI update without one: its `.swu` carries its own signature (ddi.md, "Packages"). */
  catalogEntry: string | null;
  description: string | null;
}

const KEY_FIELDS = ['DeviceType', 'Brand', 'Model', 'Revision', 'Locale', 'UpdateType'] as const;
const MAX_DESCRIPTION_BYTES = 64 * 1024;

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: false,
  removeNSPrefix: true,
});

/** Entry names use `\` or `/`; compared case-insensitively, as Windows names are. */
export function entryKey(name: string): string {
  return name.replace(/\\/g, '/').toLowerCase();
}

function folderOf(name: string): string {
  const normalised = name.replace(/\\/g, '/');
  const slash = normalised.lastIndexOf('/');
  return slash < 0 ? '' : normalised.slice(0, slash);
}

export function isDescriptionEntry(name: string): boolean {
  return entryKey(name).split('/').pop() === 'update.xml';
}

/**
 * Reads one `update.xml`. `entries` maps entryKey() of every cabinet entry to its stored name,
 * to resolve Image and Catalog (paths relative to the description's folder).
 */
export function parseUpdateDescription(xml: Buffer, path: string, entries: ReadonlyMap<string, string>): UpdateDescription {
  const refuse = (reason: string, code = PackageRefusalCode.BadDescription): never => {
    throw new PackageRefusal(code, path, reason);
  };
  if (xml.length > MAX_DESCRIPTION_BYTES) {
    refuse(`larger than ${MAX_DESCRIPTION_BYTES} bytes`);
  }
  const text = xml.toString('utf8').replace(/^\uFEFF/, '');
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    refuse('DTDs and entity declarations are not accepted');
  }
  const validation = XMLValidator.validate(text);
  if (validation !== true) {
    refuse(`not well-formed XML: ${validation.err.msg} (line ${validation.err.line})`);
  }
  const root = (parser.parse(text) as Record<string, unknown>).DeviceUpdate;
  if (typeof root !== 'object' || root === null) {
    refuse('the root element must be <DeviceUpdate>');
  }
  const fields = root as Record<string, unknown>;
  const field = (name: string, required: boolean): string | null => {
    const value = fields[name];
    if (value === undefined || value === '') {
      return required ? refuse(`<${name}> is missing or empty`) : null;
    }
    if (typeof value !== 'string') {
      return refuse(`<${name}> must appear once and hold text`);
    }
    return value;
  };
  const key = Object.fromEntries(
    KEY_FIELDS.map((name) => {
      const value = field(name, true)!;
      if (!isRuleKeyField(value)) {
        refuse(`<${name}> "${value.slice(0, 40)}" must be 1-64 letters, digits, ".", "_" or "-"`);
      }
      return [name, value];
    }),
  ) as Record<(typeof KEY_FIELDS)[number], string>;
  let version: string;
  try {
    version = normaliseVersion(field('Version', true)!);
  } catch (error) {
    return refuse(`<Version>: ${error instanceof RuleError ? error.message : String(error)}`);
  }
  const resolve = (name: 'Image' | 'Catalog'): string => {
    const relative = field(name, true)!.replace(/\\/g, '/');
    if (relative.startsWith('/') || relative.split('/').some((part) => part === '..' || part === '')) {
      refuse(`<${name}> "${relative.slice(0, 80)}" must be a path inside the update's folder`);
    }
    const folder = folderOf(path);
    const entry = entries.get(entryKey(folder ? `${folder}/${relative}` : relative));
    return entry ?? refuse(`<${name}> names "${relative}", which the package does not hold`, PackageRefusalCode.MissingFile);
  };
  const imageEntry = resolve('Image');
  // A DDI update's image is a SWUpdate image, which SWUpdate takes only by a name ending in .swu;
  // its catalog is optional, the image being signed itself (checked at import, apps/worker).
  const ddi = isDdiDeviceType(key.DeviceType);
  if (ddi && !imageEntry.toLowerCase().endsWith('.swu')) {
    refuse(`<Image> "${baseName(imageEntry)}" must be a .swu file: a DDI update's image is a SWUpdate image`);
  }
  const catalogEntry = ddi && field('Catalog', false) === null ? null : resolve('Catalog');
  if (catalogEntry !== null && baseName(imageEntry).toLowerCase() === baseName(catalogEntry).toLowerCase()) {
    refuse('<Image> and <Catalog> must be files of different names');
  }
  return {
    descriptionPath: path,
    deviceType: key.DeviceType,
    brand: key.Brand,
    model: key.Model,
    revision: key.Revision,
    locale: key.Locale,
    updateType: key.UpdateType,
    version,
    imageEntry,
    catalogEntry,
    description: field('Description', false)?.slice(0, 1000) ?? null,
  };
}

/** The name a file is served under: the entry's last path component. */
export function baseName(entry: string): string {
  return entry.replace(/\\/g, '/').split('/').pop()!;
}

/**
 * Checks the package's updates as a whole: at least one, and no rule key twice with different
 * versions. The same key and version twice is one update (the first is kept).
 */
export function planUpdates(updates: UpdateDescription[]): UpdateDescription[] {
  if (updates.length === 0) {
    throw new PackageRefusal(PackageRefusalCode.NoUpdates, null, 'the package holds no update.xml');
  }
  const byKey = new Map<string, UpdateDescription>();
  for (const update of updates) {
    const key = ruleKey(update.deviceType, update.brand, update.model, update.revision, update.locale, update.updateType);
    const first = byKey.get(key);
    if (!first) {
      byKey.set(key, update);
    } else if (first.version !== update.version) {
      throw new PackageRefusal(
        PackageRefusalCode.ConflictingVersions,
        update.descriptionPath,
        `rule ${[update.deviceType, update.brand, update.model, update.revision, update.locale, update.updateType].join('/')} ` +
          `has version ${update.version} here and ${first.version} in ${first.descriptionPath}`,
      );
    }
  }
  return [...byKey.values()];
}
