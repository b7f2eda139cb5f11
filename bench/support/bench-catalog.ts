import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import type { Client } from 'pg';
import type { ObjectStorage } from '../../libs/storage/src/object-storage';
import { ObjectKeys } from '../../libs/storage/src/object-keys';
import { ReplicaStore } from '../../libs/storage/src/replica-store';

/**
 * The catalogue the benchmarks run against, written straight into Postgres, the object store and
 * the node's replica store as imports and replication would leave it (like test/support's
 * CatalogSeed, in bulk): 300 rules over 150 device kinds, their versions and files, test devices,
 * and the update-check bodies of 20,000 devices that ask about them.
 *
 * The mix, so the node does every kind of work an update check can bring:
 * - CPE rules: six kinds in seven have an approved version, one in five of those a pending one
 *   too; the seventh has nothing approved (every device of it gets NumOfFiles 0);
 * - BootROM rules: all approved, and every device reports that version (nothing to do);
 * - devices: half report the approved CPE version (NumOfFiles 0), half an older one (offered the
 *   image and its catalog: NumOfFiles 2); one in a hundred is a test device (offered the pending
 *   version where there is one); one in ten names itself by serial number only, one in four names
 *   its signed-in user.
 * One rule's image (Polycom CX600 ENU CPE) is the 40 MiB file of the download benchmark.
 */

const BRANDS: Record<string, string[]> = {
  Polycom: ['CX500', 'CX600', 'CX700', 'CX3000', 'CX5500', 'VVX300', 'VVX400', 'VVX500', 'VVX600', 'VVX1500'],
  Aastra: ['6721ip', '6725ip', '6730ip', '6731ip', '6739i', '6753i', '6755i', '6757i', '6863i', '6865i'],
  HP: ['4110', '4120', '4130', '4140', '4150', '4160', '4170', '4180', '4190', '4200'],
  Snom: ['300', '320', '360', '370', '710', '715', '720', '760', 'D345', 'D375'],
  Yealink: ['T40P', 'T41P', 'T42G', 'T46G', 'T48G', 'T52S', 'T54S', 'T55A', 'T56A', 'T58A'],
};
const LOCALES = ['ENU', 'DEU', 'FRA'];
const DEVICE_TYPE = 'UCPhone';
const REVISION = 'A';
/** What devices that are behind on CPE report. */
const OLD_CPE_VERSION = '4.0.7577.4000';

export const DEVICE_COUNT = 20_000;
const SMALL_IMAGE_BYTES = 64 * 1024;
const CATALOG_BYTES = 2 * 1024;
/** The file of the download benchmark: 40 MiB. */
export const BIG_FILE_BYTES = 40 * 1024 * 1024;

interface DeviceKind {
  brand: string;
  model: string;
  locale: string;
  cpeApproved: string | null;
  cpePending: string | null;
  bootRom: string;
}

interface SeededFile {
  name: string;
  role: 'image' | 'catalog';
  sha256: string;
  size: number;
}

export interface BigFile {
  sha256: string;
  size: number;
  /** Where the node's replica store holds it (nginx serves this very file). */
  replicaPath: string;
  /** An update check whose answer offers it, to find its download URL as a phone would. */
  checkBody: Buffer;
}

export interface SeededCheck {
  body: Buffer;
  /** The NumOfFiles the answer must have: 2 (the CPE image and its catalog) or 0. */
  expectedFiles: number;
}

export interface SeededCatalog {
  rules: number;
  versions: number;
  files: number;
  testDevices: number;
  /** One update check per device, in a shuffled order. */
  checks: SeededCheck[];
  bigFile: BigFile;
}

export interface CatalogTargets {
  db: Client;
  storage: ObjectStorage;
  replicaDir: string;
  /** Scratch space for the big file while it is written. */
  workDir: string;
}

export async function seedCatalog(targets: CatalogTargets): Promise<SeededCatalog> {
  const kinds = deviceKinds();
  const bigKind = kinds.find((kind) => kind.brand === 'Polycom' && kind.model === 'CX600' && kind.locale === 'ENU')!;
  const store = new ReplicaStore(targets.replicaDir);
  const bigFile = await writeBigFile(targets, store);

  // Every version's files: the big image for one, small random ones (distinct per version) for the rest.
  interface VersionRow {
    kind: DeviceKind;
    updateType: 'CPE' | 'BootROM';
    version: string;
    files: SeededFile[];
  }
  const versions: VersionRow[] = [];
  const smallFiles: { sha256: string; content: Buffer }[] = [];
  const fileOf = (name: string, role: SeededFile['role'], bytes: number): SeededFile => {
    const content = randomBytes(bytes);
    const sha256 = createHash('sha256').update(content).digest('hex');
    smallFiles.push({ sha256, content });
    return { name, role, sha256, size: bytes };
  };
  for (const kind of kinds) {
    for (const version of [kind.cpeApproved, kind.cpePending]) {
      if (version === null) continue;
      const image =
        kind === bigKind && version === kind.cpeApproved
          ? { name: 'CPE.nbt', role: 'image' as const, sha256: bigFile.sha256, size: bigFile.size }
          : fileOf('CPE.nbt', 'image', SMALL_IMAGE_BYTES);
      versions.push({ kind, updateType: 'CPE', version, files: [image, fileOf('CPE.cat', 'catalog', CATALOG_BYTES)] });
    }
    versions.push({
      kind,
      updateType: 'BootROM',
      version: kind.bootRom,
      files: [fileOf('BootROM.bin', 'image', SMALL_IMAGE_BYTES), fileOf('BootROM.cat', 'catalog', CATALOG_BYTES)],
    });
  }
  await storeSmallFiles(targets.storage, store, smallFiles);

  const { db } = targets;
  await db.query('BEGIN');
  try {
    const ruleKeys = kinds.flatMap((kind) => (['CPE', 'BootROM'] as const).map((updateType) => ({ kind, updateType })));
    const { rows: ruleRows } = await db.query<{ id: string; brand: string; model: string; locale: string; update_type: string }>(
      `INSERT INTO rules (device_type, brand, model, revision, locale, update_type)
       SELECT $1, brand, model, $2, locale, update_type FROM unnest($3::text[], $4::text[], $5::text[], $6::text[])
           AS t(brand, model, locale, update_type)
       RETURNING id, brand::text, model::text, locale::text, update_type::text`,
      [
        DEVICE_TYPE,
        REVISION,
        ruleKeys.map((key) => key.kind.brand),
        ruleKeys.map((key) => key.kind.model),
        ruleKeys.map((key) => key.kind.locale),
        ruleKeys.map((key) => key.updateType),
      ],
    );
    const ruleId = new Map(ruleRows.map((row) => [`${row.brand}/${row.model}/${row.locale}/${row.update_type}`, row.id]));
    const ruleOf = (kind: DeviceKind, updateType: string) => ruleId.get(`${kind.brand}/${kind.model}/${kind.locale}/${updateType}`)!;

    const { rows: versionRows } = await db.query<{ id: string; rule_id: string; version: string }>(
      `INSERT INTO update_versions (rule_id, version) SELECT * FROM unnest($1::uuid[], $2::text[])
       RETURNING id, rule_id, version`,
      [versions.map((row) => ruleOf(row.kind, row.updateType)), versions.map((row) => row.version)],
    );
    const versionId = new Map(versionRows.map((row) => [`${row.rule_id}/${row.version}`, row.id]));

    const files = new Map<string, number>();
    for (const row of versions) for (const file of row.files) files.set(file.sha256, file.size);
    await db.query(`INSERT INTO files (sha256, size) SELECT * FROM unnest($1::text[], $2::bigint[])`, [
      [...files.keys()],
      [...files.values()],
    ]);
    const links = versions.flatMap((row) =>
      row.files.map((file) => ({ versionId: versionId.get(`${ruleOf(row.kind, row.updateType)}/${row.version}`)!, file })),
    );
    await db.query(
      `INSERT INTO update_version_files (update_version_id, name, role, sha256)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])`,
      [
        links.map((link) => link.versionId),
        links.map((link) => link.file.name),
        links.map((link) => link.file.role),
        links.map((link) => link.file.sha256),
      ],
    );

    // The rules' state as approvals would leave it.
    const states = kinds.flatMap((kind) => [
      { id: ruleOf(kind, 'CPE'), approved: kind.cpeApproved, pending: kind.cpePending },
      { id: ruleOf(kind, 'BootROM'), approved: kind.bootRom, pending: null },
    ]);
    await db.query(
      `UPDATE rules r SET approved_version = s.approved, pending_version = s.pending,
              approved_at = CASE WHEN s.approved IS NULL THEN NULL ELSE now() END,
              pending_at = CASE WHEN s.pending IS NULL THEN NULL ELSE now() END
         FROM unnest($1::uuid[], $2::text[], $3::text[]) AS s(id, approved, pending)
        WHERE r.id = s.id`,
      [states.map((state) => state.id), states.map((state) => state.approved), states.map((state) => state.pending)],
    );

    const devices = deviceIdentities(kinds);
    const testDevices = devices.filter((device) => device.isTestDevice);
    await db.query(
      `INSERT INTO test_devices (scope, name, identifier_type, identifier)
       SELECT 'global', name, identifier_type, identifier FROM unnest($1::text[], $2::text[], $3::text[])
           AS t(name, identifier_type, identifier)`,
      [
        testDevices.map((_, index) => `bench-test-device-${index + 1}`),
        testDevices.map((device) => (device.mac !== null ? 'MACAddress' : 'SerialNumber')),
        testDevices.map((device) => device.mac ?? device.serial),
      ],
    );
    await db.query('COMMIT');

    const bigDevice = devices.find((device) => device.kind === bigKind && device.installedCpe === OLD_CPE_VERSION && !device.isTestDevice)!;
    return {
      rules: ruleRows.length,
      versions: versionRows.length,
      files: files.size,
      testDevices: testDevices.length,
      checks: shuffled(devices.map((device) => ({ body: Buffer.from(checkBody(device)), expectedFiles: expectsOffer(device) ? 2 : 0 }))),
      bigFile: { ...bigFile, checkBody: Buffer.from(checkBody(bigDevice)) },
    };
  } catch (error) {
    await db.query('ROLLBACK');
    throw error;
  }
}

function deviceKinds(): DeviceKind[] {
  const kinds: DeviceKind[] = [];
  for (const [brand, models] of Object.entries(BRANDS)) {
    for (const model of models) {
      for (const locale of LOCALES) {
        const index = kinds.length;
        const forced = brand === 'Polycom' && model === 'CX600' && locale === 'ENU';
        const cpeApproved = index % 7 === 6 && !forced ? null : `4.0.7577.${4300 + (index % 50)}`;
        const cpePending = cpeApproved !== null && index % 5 === 0 ? `4.0.7577.${4400 + (index % 50)}` : null;
        kinds.push({ brand, model, locale, cpeApproved, cpePending, bootRom: `1.0.${index % 10}.0` });
      }
    }
  }
  return kinds;
}

interface DeviceIdentity {
  kind: DeviceKind;
  mac: string | null;
  serial: string | null;
  userId: string | null;
  installedCpe: string;
  isTestDevice: boolean;
}

function deviceIdentities(kinds: DeviceKind[]): DeviceIdentity[] {
  return Array.from({ length: DEVICE_COUNT }, (_, i) => {
    const kind = kinds[i % kinds.length];
    const bySerial = i % 10 === 9;
    return {
      kind,
      mac: bySerial ? null : macOf(i),
      serial: bySerial || i % 3 === 0 ? `78491-${String(i).padStart(6, '0')}` : null,
      userId: i % 4 === 0 ? `sip:user${i}@contoso.com` : null,
      // Devices alternate per kind cycle, so each kind has devices both current and behind.
      installedCpe: Math.floor(i / kinds.length) % 2 === 0 && kind.cpeApproved !== null ? kind.cpeApproved : OLD_CPE_VERSION,
      isTestDevice: i % 100 === 1,
    };
  });
}

function expectsOffer(device: DeviceIdentity): boolean {
  const offered = device.isTestDevice ? (device.kind.cpePending ?? device.kind.cpeApproved) : device.kind.cpeApproved;
  return offered !== null && offered !== device.installedCpe;
}

function macOf(index: number): string {
  const hex = (0x100000 + index).toString(16).toUpperCase().padStart(6, '0');
  return `00-04-F2-${hex.slice(0, 2)}-${hex.slice(2, 4)}-${hex.slice(4, 6)}`;
}

/** The update check a phone sends (phone-protocol.md), as it would lay it out. */
function checkBody(device: DeviceIdentity): string {
  const { kind } = device;
  const module = (updateType: string, filename: string, version: string) =>
    `    <Module>\n      <UpdateType>${updateType}</UpdateType>\n      <Filename>${filename}</Filename>\n` +
    `      <Version>${version}</Version>\n      <Timestamp>2026-11-20T08:00:00Z</Timestamp>\n    </Module>\n`;
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<Request>\n  <DeviceType>${DEVICE_TYPE}</DeviceType>\n` +
    `  <MacAddress>${device.mac ?? ''}</MacAddress>\n  <SerialNumber>${device.serial ?? ''}</SerialNumber>\n` +
    `  <Vendor>${kind.brand}</Vendor>\n  <Model>${kind.model}</Model>\n  <Revision>${REVISION}</Revision>\n` +
    `  <Locale>${kind.locale}</Locale>\n${device.userId ? `  <UserId>${device.userId}</UserId>\n` : ''}  <Modules>\n` +
    module('CPE', 'CPE.nbt', device.installedCpe) +
    module('BootROM', 'BootROM.bin', kind.bootRom) +
    '  </Modules>\n</Request>\n'
  );
}

/** Random bytes, hashed as written, then moved into the replica store under their hash and uploaded. */
async function writeBigFile(targets: CatalogTargets, store: ReplicaStore): Promise<Omit<BigFile, 'checkBody'>> {
  await mkdir(targets.workDir, { recursive: true });
  const scratch = join(targets.workDir, 'big-file.partial');
  const hash = createHash('sha256');
  const out = createWriteStream(scratch);
  const chunk = 1024 * 1024;
  for (let written = 0; written < BIG_FILE_BYTES; written += chunk) {
    const bytes = randomBytes(Math.min(chunk, BIG_FILE_BYTES - written));
    hash.update(bytes);
    if (!out.write(bytes)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  const sha256 = hash.digest('hex');
  const replicaPath = store.pathOf(sha256);
  await mkdir(dirname(replicaPath), { recursive: true });
  await rename(scratch, replicaPath);
  await targets.storage.put(ObjectKeys.file(sha256), createReadStream(replicaPath));
  return { sha256, size: BIG_FILE_BYTES, replicaPath };
}

async function storeSmallFiles(storage: ObjectStorage, store: ReplicaStore, files: { sha256: string; content: Buffer }[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const { sha256, content } = files[next++];
      const path = store.pathOf(sha256);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content);
      await storage.put(ObjectKeys.file(sha256), Readable.from([content]));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** A fixed shuffle (the same order every run), so runs are comparable. */
function shuffled<T>(items: T[]): T[] {
  const result = [...items];
  let seed = 0x2545f491;
  for (let i = result.length - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const j = seed % (i + 1);
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}
