import { PackageRefusal, PackageRefusalCode } from './package-refusal';
import { entryKey, isDescriptionEntry, parseUpdateDescription, planUpdates, type UpdateDescription } from './update-description';
import { CX600_CPE } from '../../../test/support/rule-fixtures';

const ENTRIES = new Map(['CPE\\update.xml', 'CPE\\CPE.nbt', 'CPE\\CPE.cat', 'CPE\\sub\\x.bin'].map((name) => [entryKey(name), name]));

function xml(fields: Record<string, string | undefined>, extra = ''): Buffer {
  const body = Object.entries({
    DeviceType: 'UCPhone',
    Brand: 'Polycom',
    Model: 'CX600',
    Revision: 'A',
    Locale: 'ENU',
    UpdateType: 'CPE',
    Version: '4.0.7577.4372',
    Image: 'CPE.nbt',
    Catalog: 'CPE.cat',
    Description: 'Cumulative update 7',
    ...fields,
  })
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `  <${name}>${value}</${name}>`)
    .join('\n');
  return Buffer.from(`<?xml version="1.0" encoding="utf-8"?>\n${extra}<DeviceUpdate>\n${body}\n</DeviceUpdate>\n`);
}

function refusal(fn: () => unknown): PackageRefusal {
  try {
    fn();
  } catch (error) {
    if (error instanceof PackageRefusal) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('parseUpdateDescription', () => {
  it('reads the description of update-package.md and resolves its files in the folder', () => {
    expect(parseUpdateDescription(xml({}), 'CPE\\update.xml', ENTRIES)).toEqual({
      descriptionPath: 'CPE\\update.xml',
      ...CX600_CPE,
      version: '4.0.7577.4372',
      imageEntry: 'CPE\\CPE.nbt',
      catalogEntry: 'CPE\\CPE.cat',
      description: 'Cumulative update 7',
    });
  });

  it('takes paths in subfolders, either separator, any case, and no Description', () => {
    const update = parseUpdateDescription(xml({ Image: 'SUB/X.BIN', Description: undefined }), 'CPE/update.xml', ENTRIES);
    expect(update.imageEntry).toBe('CPE\\sub\\x.bin');
    expect(update.description).toBeNull();
  });

  it('takes a DDI update whose image is a .swu, with or without a catalog', () => {
    const entries = new Map(['gw\\update.xml', 'gw\\gateway-2.4.1.swu', 'gw\\gateway.cat'].map((name) => [entryKey(name), name]));
    const ddi = { DeviceType: 'DDI', Brand: 'Contoso', Model: 'Gateway-1', Revision: '1.0', Locale: 'Neutral', UpdateType: 'os', Version: '2.4.1' };
    const unsigned = parseUpdateDescription(xml({ ...ddi, Image: 'gateway-2.4.1.swu', Catalog: undefined }), 'gw\\update.xml', entries);
    expect(unsigned).toMatchObject({ deviceType: 'DDI', imageEntry: 'gw\\gateway-2.4.1.swu', catalogEntry: null });
    const catalogued = parseUpdateDescription(xml({ ...ddi, Image: 'gateway-2.4.1.swu', Catalog: 'gateway.cat' }), 'gw\\update.xml', entries);
    expect(catalogued.catalogEntry).toBe('gw\\gateway.cat');
    expect(refusal(() => parseUpdateDescription(xml({ ...ddi, Image: 'gateway.cat', Catalog: undefined }), 'gw\\update.xml', entries))).toMatchObject({
      code: PackageRefusalCode.BadDescription,
      message: 'gw\\update.xml: <Image> "gateway.cat" must be a .swu file: a DDI update\'s image is a SWUpdate image',
    });
  });

  it('still wants a catalog of every other device type', () => {
    expect(refusal(() => parseUpdateDescription(xml({ Catalog: undefined }), 'CPE\\update.xml', ENTRIES)).message).toContain('<Catalog> is missing');
  });

  it('normalises the version', () => {
    expect(parseUpdateDescription(xml({ Version: '4.0.07577' }), 'CPE\\update.xml', ENTRIES).version).toBe('4.0.7577');
  });

  it.each([
    ['not XML', Buffer.from('this is not xml'), /not well-formed/],
    ['a DTD', xml({}, '<!DOCTYPE DeviceUpdate [<!ENTITY x "y">]>\n'), /DTDs/],
    ['another root', Buffer.from('<Update><Version>1</Version></Update>'), /root element/],
    ['a missing Model', xml({ Model: undefined }), /<Model> is missing/],
    ['an empty Locale', xml({ Locale: '' }), /<Locale> is missing/],
    ['a slash in Brand', xml({ Brand: 'Poly/com' }), /<Brand> "Poly\/com" must be/],
    ['a bad version', xml({ Version: '4.0.x' }), /<Version>/],
    ['five version parts', xml({ Version: '1.2.3.4.5' }), /<Version>/],
    ['an Image outside the folder', xml({ Image: '../CPE.nbt' }), /must be a path inside/],
    ['an absolute Image', xml({ Image: '/CPE.nbt' }), /must be a path inside/],
    ['Image and Catalog the same file', xml({ Catalog: 'CPE.nbt' }), /different names/],
    ['a repeated element', Buffer.from(xml({}).toString().replace('<Model>CX600</Model>', '<Model>A</Model><Model>B</Model>')), /<Model> must appear once/],
  ])('refuses %s as BadDescription, naming the file', (_, body, reason) => {
    const error = refusal(() => parseUpdateDescription(body, 'CPE\\update.xml', ENTRIES));
    expect(error.code).toBe(PackageRefusalCode.BadDescription);
    expect(error.file).toBe('CPE\\update.xml');
    expect(error.message).toMatch(reason);
  });

  it('refuses a description that names a file the package lacks as MissingFile', () => {
    const error = refusal(() => parseUpdateDescription(xml({ Catalog: 'CPE2.cat' }), 'CPE\\update.xml', ENTRIES));
    expect(error.code).toBe(PackageRefusalCode.MissingFile);
    expect(error.message).toContain('"CPE2.cat"');
  });

  it('refuses a description over 64 KiB', () => {
    const body = xml({ Description: 'x'.repeat(70_000) });
    expect(refusal(() => parseUpdateDescription(body, 'CPE\\update.xml', ENTRIES)).message).toMatch(/larger than/);
  });

  it('recognises description entries by name, in any folder and case', () => {
    expect(isDescriptionEntry('A\\B\\Update.XML')).toBe(true);
    expect(isDescriptionEntry('update.xml.bak')).toBe(false);
  });
});

describe('planUpdates', () => {
  const update = (path: string, version: string, model = 'CX600'): UpdateDescription => ({
    ...parseUpdateDescription(xml({ Version: version, Model: model }), 'CPE\\update.xml', ENTRIES),
    descriptionPath: path,
  });

  it('refuses a package without updates', () => {
    expect(refusal(() => planUpdates([])).code).toBe(PackageRefusalCode.NoUpdates);
  });

  it('refuses the same rule key with two versions, naming both descriptions', () => {
    const error = refusal(() => planUpdates([update('a\\update.xml', '1.0'), update('b\\update.xml', '1.1')]));
    expect(error.code).toBe(PackageRefusalCode.ConflictingVersions);
    expect(error.message).toMatch(/^b\\update.xml: .*1\.1 here and 1\.0 in a\\update.xml/);
  });

  it('keeps one of a key and version given twice, and every distinct key', () => {
    const planned = planUpdates([update('a\\update.xml', '1.0'), update('b\\update.xml', '1.0'), update('c\\update.xml', '2.0', 'CX700')]);
    expect(planned.map((each) => each.descriptionPath)).toEqual(['a\\update.xml', 'c\\update.xml']);
  });
});
