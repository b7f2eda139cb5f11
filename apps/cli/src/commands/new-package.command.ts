import { createHash } from 'node:crypto';
import type { RuleKey } from '@ucupdates/admin-api';
import { basename, dirname, isAbsolute, join } from 'node:path';
// By relative path, not @ucupdates/…: the CLI builds with plain tsc and runs without libs' aliases
// (main.ts). These use Node's built-ins only.
import { type CabinetInput, writeCabinet } from '../../../../libs/cab/src/cab-writer';
import { signDetached } from '../../../../libs/catalog/src/detached-signature';
import { isDdiDeviceType } from '../../../../libs/rules/src/ddi-device';
import { isRuleKeyField } from '../../../../libs/rules/src/rule-key';
import { normaliseVersion } from '../../../../libs/rules/src/version';
import { cpioMembers } from '../../../../libs/swu/src/cpio-reader';
import { bufferEntry, byteSum, type CpioEntry, cpioSize, writeCpio } from '../../../../libs/swu/src/cpio-writer';
import { SwuError } from '../../../../libs/swu/src/swu-error';
import { type Command, type CommandContext, type CommandInput, printJson, printLine, stringOption } from '../command';
import { UsageError } from '../exit-codes';
import { type Column, formatTable, ruleKeyColumns } from '../table';

/** One update to package, as the options or a manifest entry give it. */
interface PackageUpdate extends RuleKey {
  image: string;
  catalog?: string;
  version: string;
  description?: string;
  /** A DDI update's .swu built here (`image` is then its name): the sw-description template and the payload files. */
  build?: { template: string; payloads: string[] };
}

const KEY_OPTIONS = [
  ['deviceType', 'device-type'],
  ['brand', 'brand'],
  ['model', 'model'],
  ['revision', 'revision'],
  ['locale', 'locale'],
  ['updateType', 'update-type'],
  ['version', 'version'],
] as const;

interface Packaged extends RuleKey {
  folder: string;
  version: string;
  image: string;
  /** Null for a DDI update whose .swu is signed itself. */
  catalog: string | null;
  signed: 'signed here' | 'given catalog' | 'signed .swu' | 'built and signed here';
}

const COLUMNS: Column<Packaged>[] = [
  { header: 'Folder', value: (update) => update.folder },
  ...ruleKeyColumns(['brand', 'model', 'revision', 'locale', 'updateType']),
  { header: 'Version', value: (update) => update.version },
  { header: 'Image', value: (update) => update.image },
  { header: 'Catalog', value: (update) => (update.catalog === null ? `none (${update.signed})` : `${update.catalog} (${update.signed})`) },
];

async function readWhole(context: CommandContext, path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of context.files.read(path)) chunks.push(Buffer.from(chunk));
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return Buffer.concat(chunks);
}

function fileSize(context: CommandContext, path: string): number {
  try {
    return context.files.size(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

async function sha256Of(context: CommandContext, path: string): Promise<Buffer> {
  const hash = createHash('sha256');
  for await (const chunk of context.files.read(path)) hash.update(chunk);
  return hash.digest();
}

const escapeXml = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[char]!);

/** The update.xml of update-package.md; a DDI update whose .swu is signed itself names no catalog (ddi.md). */
function describe(update: PackageUpdate, image: string, catalog: string | null): Buffer {
  const element = (name: string, value: string) => `  <${name}>${escapeXml(value)}</${name}>\n`;
  return Buffer.from(
    '<?xml version="1.0" encoding="utf-8"?>\n<DeviceUpdate>\n' +
      element('DeviceType', update.deviceType) +
      element('Brand', update.brand) +
      element('Model', update.model) +
      element('Revision', update.revision) +
      element('Locale', update.locale) +
      element('UpdateType', update.updateType) +
      element('Version', update.version) +
      element('Image', image) +
      (catalog === null ? '' : element('Catalog', catalog)) +
      (update.description ? element('Description', update.description) : '') +
      '</DeviceUpdate>\n',
    'utf8',
  );
}

/** The updates the options name, or the manifest's (paths in it relative to the manifest). */
async function updatesOf(context: CommandContext, input: CommandInput): Promise<PackageUpdate[]> {
  const manifest = stringOption(input, 'manifest');
  const image = stringOption(input, 'image');
  if (manifest !== undefined) {
    const given = ['image', 'catalog', 'description', 'sw-description', 'payload', ...KEY_OPTIONS.map(([, option]) => option)].filter(
      (option) => stringOption(input, option) !== undefined,
    );
    if (given.length > 0) throw new UsageError(`--manifest lists the updates: leave out --${given.join(', --')}`);
    let entries: unknown;
    try {
      entries = JSON.parse((await readWhole(context, manifest)).toString('utf8'));
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`${manifest} is not JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(entries) || entries.length === 0) throw new UsageError(`${manifest} must hold a JSON array of updates`);
    const base = dirname(manifest);
    const path = (value: unknown) => (typeof value === 'string' && value !== '' ? (isAbsolute(value) ? value : join(base, value)) : undefined);
    return entries.map((entry: Record<string, unknown>, index) => {
      const text = (name: string, fallback?: string): string => {
        const value = entry?.[name] ?? fallback;
        if (typeof value !== 'string' || value === '') throw new UsageError(`${manifest}: update ${index + 1} needs "${name}" (text)`);
        return value;
      };
      const imagePath = path(entry?.image);
      if (imagePath === undefined) throw new UsageError(`${manifest}: update ${index + 1} needs "image" (a file)`);
      return {
        image: imagePath,
        catalog: path(entry.catalog),
        deviceType: text('deviceType', 'UCPhone'),
        brand: text('brand'),
        model: text('model'),
        revision: text('revision'),
        locale: text('locale'),
        updateType: text('updateType'),
        version: text('version'),
        description: typeof entry.description === 'string' ? entry.description : undefined,
      };
    });
  }
  const template = stringOption(input, 'sw-description');
  const payloads = stringOption(input, 'payload');
  if (template !== undefined || payloads !== undefined) {
    if (image !== undefined || template === undefined || payloads === undefined) {
      throw new UsageError('a .swu built here takes --sw-description and --payload, and no --image');
    }
  } else if (image === undefined) {
    throw new UsageError('--image FILE (or --manifest FILE) is required: the software image to package');
  }
  const missing = KEY_OPTIONS.filter(([field, option]) => field !== 'deviceType' && stringOption(input, option) === undefined).map(([, option]) => `--${option}`);
  if (missing.length > 0) throw new UsageError(`the rule key and version are required: ${missing.join(', ')}`);
  return [
    {
      image: image ?? `${stringOption(input, 'model')}-${stringOption(input, 'version')}.swu`,
      build: template === undefined ? undefined : { template, payloads: payloads!.split(',').map((path) => path.trim()).filter(Boolean) },
      catalog: stringOption(input, 'catalog'),
      deviceType: stringOption(input, 'device-type') ?? 'UCPhone',
      brand: stringOption(input, 'brand')!,
      model: stringOption(input, 'model')!,
      revision: stringOption(input, 'revision')!,
      locale: stringOption(input, 'locale')!,
      updateType: stringOption(input, 'update-type')!,
      version: stringOption(input, 'version')!,
      description: stringOption(input, 'description'),
    },
  ];
}

/** The update with its version normalised, or a usage error naming what the pool would refuse. */
function checked(update: PackageUpdate, index: number): PackageUpdate {
  const which = `update ${index + 1} (${update.image})`;
  for (const [field, option] of KEY_OPTIONS) {
    if (field !== 'version' && !isRuleKeyField(update[field])) {
      throw new UsageError(`${which}: ${option} "${update[field].slice(0, 40)}" must be 1-64 letters, digits, ".", "_" or "-"`);
    }
  }
  try {
    return { ...update, version: normaliseVersion(update.version) };
  } catch (error) {
    throw new UsageError(`${which}: version ${(error as Error).message}`);
  }
}

/** sw-description (at most 1 MiB, as the pool reads it) and its signature (64 KiB) lie within this start of a .swu. */
const SWU_HEAD_BYTES = 1024 * 1024 + 64 * 1024 + 2 * 4096;

/**
 * Whether a DDI update's image is a SWUpdate image that carries its own signature: a cpio archive
 * whose first member is sw-description and whose second is sw-description.sig (ddi.md,
 * "Packages"). Only the start of the file is read. A usage error says why a file is no such image.
 */
async function swuIsSigned(context: CommandContext, path: string): Promise<boolean> {
  const size = fileSize(context, path);
  const chunks: Buffer[] = [];
  let read = 0;
  for await (const chunk of context.files.read(path)) {
    chunks.push(Buffer.from(chunk));
    read += chunk.length;
    if (read >= SWU_HEAD_BYTES) break;
  }
  const head = Buffer.concat(chunks);
  const names: string[] = [];
  try {
    for await (const item of cpioMembers({ size, read: async (offset, length) => head.subarray(offset, offset + length) })) {
      if (typeof item === 'symbol' || names.push(item.member.name) === 2) break;
    }
  } catch (error) {
    if (error instanceof SwuError) throw new UsageError(`${path} is not a SWUpdate image: ${error.message}`);
    throw error;
  }
  if (names[0] !== 'sw-description') {
    throw new UsageError(`${path} is not a SWUpdate image: its first member is ${names[0] === undefined ? 'missing' : `"${names[0]}"`}, not sw-description`);
  }
  return names[1] === 'sw-description.sig';
}

/**
 * A SWUpdate image built here (ddi.md): `sw-description` from the template, each
 * `$swupdate_get_sha256(NAME)` in it (the placeholder of SWUpdate's Yocto layer) replaced by the
 * SHA-256 of the payload of that name; its detached CMS signature made in-process with the
 * signer (as `openssl cms -sign -binary -nosmimecap` makes it); then the payloads, packed as
 * `cpio -H crc` packs them. The payloads are read once for their hashes and sums, and again each
 * time the image is read; never held whole.
 */
async function buildSwu(
  context: CommandContext,
  build: NonNullable<PackageUpdate['build']>,
  signer: { certificatePem: string; keyPem: string },
): Promise<{ size: number; read: () => AsyncIterable<Uint8Array> }> {
  const payloads: (CpioEntry & { sha256: string })[] = [];
  for (const path of build.payloads) {
    const name = basename(path);
    if (name.startsWith('sw-description') || payloads.some((payload) => payload.name === name)) {
      throw new UsageError(`${path}: payloads need different names, none starting with sw-description`);
    }
    const hash = createHash('sha256');
    let check = 0;
    let size = 0;
    try {
      for await (const chunk of context.files.read(path)) {
        hash.update(chunk);
        check = byteSum(chunk, check);
        size += chunk.length;
      }
    } catch (error) {
      throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    payloads.push({ name, size, check, sha256: hash.digest('hex'), data: () => context.files.read(path) });
  }
  const template = (await readWhole(context, build.template)).toString('utf8');
  const description = Buffer.from(
    template.replace(/\$swupdate_get_sha256\(([^)]*)\)/g, (_placeholder, name: string) => {
      const payload = payloads.find((each) => each.name === name.trim());
      if (payload === undefined) throw new UsageError(`${build.template} asks for the SHA-256 of "${name.trim()}", which no --payload is`);
      return payload.sha256;
    }),
    'utf8',
  );
  let signature: Buffer;
  try {
    signature = signDetached({ imageSha256: createHash('sha256').update(description).digest(), ...signer, passphrase: process.env.UCU_SIGNING_KEY_PASSPHRASE });
  } catch (error) {
    throw new UsageError(`cannot sign ${build.template}: ${(error as Error).message}`);
  }
  const entries = [bufferEntry('sw-description', description), bufferEntry('sw-description.sig', signature), ...payloads];
  return { size: cpioSize(entries), read: () => writeCpio(entries) };
}

/** Folder names in the cabinet: `1-CX600-CPE`, only characters every unpacker takes. */
const folderName = (update: PackageUpdate, index: number) => `${index + 1}-${update.model}-${update.updateType}`.replace(/[^A-Za-z0-9._-]/g, '_');

export const NEW_PACKAGE_COMMAND: Command = {
  name: 'new-package',
  group: 'Update packages',
  summary: 'make an update package (.cab) from an image: update.xml, signature, MSZIP cabinet',
  usage:
    '-o FILE.cab (--image FILE [--catalog FILE | --certificate PEM --key PEM] | --sw-description FILE --payload FILE[,FILE…] --certificate PEM --key PEM) --brand B --model M --revision R --locale L --update-type T --version V [--device-type D] [--description TEXT] | -o FILE.cab --manifest FILE [--certificate PEM --key PEM]',
  description:
    "Makes the package import-update takes, as update-package.md describes it: for each update a folder holding update.xml (the rule key, the version, the image and catalog names), the image and its security catalog; the catalog is the given --catalog (a Windows catalog or detached signature you already have), else a detached CMS signature over the image made here with --certificate and --key (the certificate must chain to the pool's UCU_TRUSTED_CA_FILE). The cabinet is MSZIP, as makecab and gcab write it; cabextract lists it. A DDI update (--device-type DDI) takes a SWUpdate image (.swu): one signed itself (sw-description.sig) needs no catalog and is packaged as it is; or new-package builds and signs the .swu from --sw-description and --payload (docs/ddi.md). Several updates go into one cabinet from a manifest: a JSON array of {image, catalog?, deviceType?, brand, model, revision, locale, updateType, version, description?}, paths relative to the manifest. Versions are one to four numbers, at most 20 characters. Nothing is sent to the pool; no token is needed.",
  options: {
    output: { type: 'string', short: 'o', value: 'FILE', description: 'the cabinet to write (appears only once complete)' },
    image: { type: 'string', value: 'FILE', description: 'the software image (its name in the package is the file name)' },
    catalog: { type: 'string', value: 'FILE', description: "the image's signature file, when you have one: not signed here then" },
    certificate: { type: 'string', value: 'PEM', description: "the signer's certificate (PEM; its chain may follow it in the file)" },
    key: { type: 'string', value: 'PEM', description: "the signer's private key (PEM, RSA or EC; an encrypted key's passphrase from UCU_SIGNING_KEY_PASSPHRASE)" },
    'device-type': { type: 'string', value: 'D', description: 'the rule key: device type (default UCPhone; DDI for a SWUpdate image)' },
    brand: { type: 'string', value: 'B', description: 'the rule key: brand (vendor), such as Polycom' },
    model: { type: 'string', value: 'M', description: 'the rule key: model, such as CX600' },
    revision: { type: 'string', value: 'R', description: 'the rule key: hardware revision, such as A' },
    locale: { type: 'string', value: 'L', description: 'the rule key: locale, such as ENU' },
    'update-type': { type: 'string', value: 'T', description: 'the rule key: update type, such as CPE' },
    version: { type: 'string', value: 'V', description: 'the version: one to four numbers, such as 4.0.7577.4372 (at most 20 characters)' },
    description: { type: 'string', value: 'TEXT', description: "free text for update.xml's <Description>" },
    manifest: { type: 'string', value: 'FILE', description: 'several updates from a JSON file instead of the options above' },
    'sw-description': {
      type: 'string',
      value: 'FILE',
      description: 'build a DDI update\'s .swu here from this sw-description template ($swupdate_get_sha256(NAME) becomes the SHA-256 of the payload NAME), signed with --certificate and --key',
    },
    payload: { type: 'string', value: 'FILE[,FILE…]', description: 'the files the .swu built here carries after sw-description, in order' },
  },
  args: { min: 0, max: 0 },
  examples: [
    'ucupdates new-package -o CX600-4.0.7577.4372.cab --image CPE.nbt --certificate signer.pem --key signer.key --brand Polycom --model CX600 --revision A --locale ENU --update-type CPE --version 4.0.7577.4372',
    'ucupdates new-package -o CX600.cab --image CPE.nbt --catalog CPE.cat --brand Polycom --model CX600 --revision A --locale ENU --update-type CPE --version 4.0.7577.4372',
    'ucupdates new-package -o pool-updates.cab --manifest updates.json --certificate signer.pem --key signer.key',
    'ucupdates new-package -o gateway-2.4.1.cab --image gateway-2.4.1.swu --device-type DDI --brand Contoso --model Gateway-1 --revision 1.0 --locale Neutral --update-type os --version 2.4.1',
    'ucupdates new-package -o gateway-2.4.2.cab --sw-description sw-description.in --payload rootfs.ext4 --certificate signer.pem --key signer.key --device-type DDI --brand Contoso --model Gateway-1 --revision 1.0 --locale Neutral --update-type os --version 2.4.2',
  ],
  async run(context, input) {
    const output = stringOption(input, 'output');
    if (output === undefined) throw new UsageError('-o FILE is required: the cabinet to write');
    const updates = (await updatesOf(context, input)).map(checked);
    const certificate = stringOption(input, 'certificate');
    const key = stringOption(input, 'key');
    if ((certificate === undefined) !== (key === undefined)) throw new UsageError('--certificate and --key go together');
    // A DDI update whose .swu is signed itself needs no catalog; every other one without --catalog is signed here.
    const signedSwu = new Set<PackageUpdate>();
    if (updates.some((update) => update.build !== undefined && (!isDdiDeviceType(update.deviceType) || certificate === undefined))) {
      throw new UsageError('a .swu built here is a DDI update (--device-type DDI), signed with --certificate and --key');
    }
    for (const update of updates.filter((each) => isDdiDeviceType(each.deviceType) && each.build === undefined)) {
      if (!update.image.toLowerCase().endsWith('.swu')) {
        throw new UsageError(`${update.image}: a DDI update's image is a SWUpdate image, whose name ends in .swu`);
      }
      if (await swuIsSigned(context, update.image)) {
        signedSwu.add(update);
      } else {
        printLine(context.stderr, `${update.image} is not signed itself (no sw-description.sig): SWUpdate built for signed images, as Debian's is, refuses it.`);
      }
    }
    if (certificate === undefined && updates.some((update) => update.catalog === undefined && !signedSwu.has(update))) {
      throw new UsageError('an update without --catalog is signed here: give --certificate and --key');
    }
    const signer = certificate !== undefined && key !== undefined ? { certificatePem: (await readWhole(context, certificate)).toString('utf8'), keyPem: (await readWhole(context, key)).toString('utf8') } : null;

    const files: CabinetInput[] = [];
    const packaged: Packaged[] = [];
    for (const [index, update] of updates.entries()) {
      const folder = folderName(update, index);
      const image = basename(update.image);
      const built = update.build === undefined ? null : await buildSwu(context, update.build, signer!);
      const size = built?.size ?? fileSize(context, update.image);
      let catalog: Buffer | null;
      let catalogName: string | null;
      if (built !== null) {
        catalog = null;
        catalogName = null;
      } else if (update.catalog !== undefined) {
        catalog = await readWhole(context, update.catalog);
        catalogName = basename(update.catalog);
      } else if (signedSwu.has(update)) {
        catalog = null;
        catalogName = null;
      } else {
        try {
          catalog = signDetached({ imageSha256: await sha256Of(context, update.image), ...signer!, passphrase: process.env.UCU_SIGNING_KEY_PASSPHRASE });
        } catch (error) {
          throw new UsageError(`cannot sign ${update.image} with ${certificate} and ${key}: ${(error as Error).message}`);
        }
        catalogName = `${image.replace(/\.[^.]*$/, '')}.cat`;
      }
      if (catalogName?.toLowerCase() === image.toLowerCase() || [image, catalogName].some((name) => name?.toLowerCase() === 'update.xml')) {
        throw new UsageError(`${update.image}: the image and its catalog need different names, neither update.xml`);
      }
      const description = describe(update, image, catalogName);
      const imagePath = update.image;
      files.push(
        { name: `${folder}\\update.xml`, size: description.length, read: () => oneChunk(description) },
        { name: `${folder}\\${image}`, size, read: () => built?.read() ?? context.files.read(imagePath) },
      );
      if (catalog !== null) {
        const bytes = catalog;
        files.push({ name: `${folder}\\${catalogName}`, size: bytes.length, read: () => oneChunk(bytes) });
      }
      packaged.push({
        folder,
        deviceType: update.deviceType,
        brand: update.brand,
        model: update.model,
        revision: update.revision,
        locale: update.locale,
        updateType: update.updateType,
        version: update.version,
        image,
        catalog: catalogName,
        signed: built !== null ? 'built and signed here' : update.catalog !== undefined ? 'given catalog' : signedSwu.has(update) ? 'signed .swu' : 'signed here',
      });
    }
    let bytes: number;
    try {
      bytes = await context.files.write(output, writeCabinet(files));
    } catch (error) {
      if (error instanceof RangeError) throw new UsageError(error.message);
      throw new UsageError(`cannot write ${output}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    if (context.json) {
      printJson(context, { file: output, bytes, updates: packaged });
      return;
    }
    printLine(context.stdout, formatTable(packaged, COLUMNS));
    printLine(context.stderr, `Wrote ${output} (${bytes} bytes, ${packaged.length} update${packaged.length === 1 ? '' : 's'}). Import it with: ucupdates import-update ${output}`);
  },
};

async function* oneChunk(bytes: Buffer): AsyncGenerator<Buffer> {
  yield bytes;
}
