import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Builds real update packages for tests: a test PKI made with openssl, catalogs signed with
 * `openssl cms` (the detached form of update-package.md), cabinets made with gcab.
 */
export interface TestPki {
  dir: string;
  /** PEM of the CA the pool trusts. */
  caFile: string;
  signer: { cert: string; key: string };
  /** A signer whose CA the pool does not trust. */
  rogue: { cert: string; key: string };
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

export function createTestPki(dir: string): TestPki {
  mkdirSync(dir, { recursive: true });
  const ca = (name: string) => {
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}-ca.key`, '-out', `${name}-ca.pem`, '-days', '30',
      '-subj', `/CN=${name} test CA`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  };
  const signer = (name: string, caName: string) => {
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
    writeFileSync(join(dir, `${name}.ext`), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n');
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}-ca.pem`, '-CAkey', `${caName}-ca.key`, '-CAcreateserial',
      '-out', `${name}.pem`, '-days', '10', '-extfile', `${name}.ext`], dir);
    return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
  };
  ca('pool');
  ca('rogue');
  return { dir, caFile: join(dir, 'pool-ca.pem'), signer: signer('signer', 'pool'), rogue: signer('rogue-signer', 'rogue') };
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
  image: Buffer;
  /** Who signs the catalog: the trusted signer (default), the rogue one, or nobody (garbage). */
  signedBy?: 'signer' | 'rogue' | 'nobody';
  /** Change the image after signing it. */
  tamper?: boolean;
}

/** Writes the package's files under `dir` and returns the cabinet's bytes (MSZIP, as gcab -z makes). */
export function buildPackage(dir: string, pki: TestPki, updates: TestUpdate[]): Buffer {
  mkdirSync(dir, { recursive: true });
  const entries: string[] = [];
  for (const update of updates) {
    const updateType = update.updateType ?? 'CPE';
    const folder = join(dir, update.folder);
    mkdirSync(folder, { recursive: true });
    const image = join(folder, `${updateType}.nbt`);
    const catalog = join(folder, `${updateType}.cat`);
    writeFileSync(image, update.image);
    const signer = update.signedBy === 'rogue' ? pki.rogue : pki.signer;
    if (update.signedBy === 'nobody') {
      writeFileSync(catalog, Buffer.from('not a signature'));
    } else {
      openssl(['cms', '-sign', '-binary', '-outform', 'DER', '-in', image, '-signer', signer.cert, '-inkey', signer.key, '-out', catalog], dir);
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
  <Image>${updateType}.nbt</Image>
  <Catalog>${updateType}.cat</Catalog>
  <Description>test update ${update.version}</Description>
</DeviceUpdate>
`,
    );
    entries.push(`${update.folder}/update.xml`, `${update.folder}/${updateType}.nbt`, `${update.folder}/${updateType}.cat`);
  }
  execFileSync('gcab', ['-c', '-z', 'package.cab', ...entries], { cwd: dir, stdio: 'pipe' });
  return readFileSync(join(dir, 'package.cab'));
}
