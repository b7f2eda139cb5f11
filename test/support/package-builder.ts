import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PoolPki } from './test-pki';

/**
 * Builds real update packages for tests: catalogs signed with `openssl cms` (the detached form of
 * update-package.md) by a signer of the pool's test PKI (test-pki.ts), cabinets made with gcab.
 */

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

export interface TestUpdate {
  folder: string;
  deviceType?: string;
  brand?: string;
  model?: string;
  revision?: string;
  locale?: string;
  updateType?: string;
  version: string;
  /** The image's bytes, or a file of them (moved into the package's folder: a large image is never read into memory). */
  image: Buffer | { file: string };
  /** The image's file name: `<UpdateType>.nbt` unless given (a DDI update's is a `.swu`). */
  imageName?: string;
  /** false: no catalog, and update.xml names none (a DDI update whose .swu is signed itself). */
  catalog?: boolean;
  /** Who signs the catalog: the trusted signer (default), the rogue one, or nobody (garbage). */
  signedBy?: 'signer' | 'rogue' | 'nobody';
  /** Change the image after signing it. */
  tamper?: boolean;
  /** The catalog signer's digest algorithm (`openssl cms -md`): sha256 unless given. */
  digest?: 'sha1' | 'sha256' | 'sha384' | 'sha512';
}

/** Writes the package's files under `dir` and returns the cabinet's bytes (MSZIP, as gcab -z makes). */
export function buildPackage(dir: string, pki: PoolPki, updates: TestUpdate[]): Buffer {
  return readFileSync(writePackage(dir, pki, updates));
}

/** Writes the package's files under `dir` and answers the cabinet's path, `<dir>/package.cab` (MSZIP, as gcab -z makes). */
export function writePackage(dir: string, pki: PoolPki, updates: TestUpdate[]): string {
  mkdirSync(dir, { recursive: true });
  const entries: string[] = [];
  for (const update of updates) {
    const updateType = update.updateType ?? 'CPE';
    const folder = join(dir, update.folder);
    mkdirSync(folder, { recursive: true });
    const imageName = update.imageName ?? `${updateType}.nbt`;
    const image = join(folder, imageName);
    const catalog = join(folder, `${updateType}.cat`);
    if (Buffer.isBuffer(update.image)) writeFileSync(image, update.image);
    else renameSync(update.image.file, image);
    const signer = update.signedBy === 'rogue' ? pki.rogue : pki.signer;
    if (update.catalog !== false && update.signedBy === 'nobody') {
      writeFileSync(catalog, Buffer.from('not a signature'));
    } else {
      const digest = update.digest ? ['-md', update.digest] : [];
      openssl(['cms', '-sign', '-binary', '-outform', 'DER', ...digest, '-in', image, '-signer', signer.certPath, '-inkey', signer.keyPath, '-out', catalog], dir);
    }
    if (update.tamper) {
      const bytes = readFileSync(image);
      bytes[0] ^= 0xff;
      writeFileSync(image, bytes);
    }
    writeFileSync(
      join(folder, 'update.xml'),
      `<?xml version="1.0" encoding="utf-8"?>
<DeviceUpdate>
  <DeviceType>${update.deviceType ?? 'UCPhone'}</DeviceType>
  <Brand>${update.brand ?? 'Polycom'}</Brand>
  <Model>${update.model ?? 'CX600'}</Model>
  <Revision>${update.revision ?? 'A'}</Revision>
  <Locale>${update.locale ?? 'ENU'}</Locale>
  <UpdateType>${updateType}</UpdateType>
  <Version>${update.version}</Version>
  <Image>${imageName}</Image>${update.catalog === false ? '' : `\n  <Catalog>${updateType}.cat</Catalog>`}
  <Description>test update ${update.version}</Description>
</DeviceUpdate>
`,
    );
    entries.push(`${update.folder}/update.xml`, `${update.folder}/${imageName}`);
    if (update.catalog !== false) entries.push(`${update.folder}/${updateType}.cat`);
  }
  execFileSync('gcab', ['-c', '-z', 'package.cab', ...entries], { cwd: dir, stdio: 'pipe' });
  return join(dir, 'package.cab');
}
