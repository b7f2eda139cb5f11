import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Issued, PoolPki } from './test-pki';

/** The board SWUpdate is told it runs on (`-H board:1.0`), as every test image is made for it. */
export const SWU_BOARD = 'board:1.0';

export interface TestSwuOptions {
  /** The software's version in sw-description. */
  version: string;
  /** Where the rawfile handler writes hello.txt when SWUpdate installs the image (an absolute folder). */
  targetDir: string;
  /** hello.txt's content. */
  payload?: Buffer;
  /** Who signs sw-description: the pool's signer (default), another, or nobody (no sw-description.sig). */
  signer?: Issued | null;
  /** Members in this order instead of sw-description, sw-description.sig, hello.txt. */
  order?: string[];
  /** sw-description names another SHA-256 of hello.txt than its own (the device refuses it). */
  wrongSha256?: boolean;
  /** sw-description changed after it was signed (its signature no longer verifies). */
  tamperDescription?: boolean;
}

export interface TestSwu {
  /** The `.swu` file. */
  path: string;
  bytes: Buffer;
  sha1: string;
  md5: string;
  sha256: string;
  /** The file SWUpdate writes when it installs the image. */
  installedFile: string;
  payload: Buffer;
}

/**
 * A harmless SWUpdate image made as ddi.md says (and as SWUpdate's own build makes them): a
 * `rawfile` handler writing hello.txt into `targetDir`, `hardware-compatibility: [ "1.0" ]`,
 * sw-description signed with `openssl cms -sign … -outform DER -nosmimecap -binary` by a signer of
 * the one test PKI (extended key usage codeSigning,emailProtection, which SWUpdate 2022.12 needs),
 * packed with `cpio -o -H crc`. Debian's `swupdate -c -i <swu> -k <CA.pem> -H board:1.0` accepts
 * it: `-k` takes the certificate the signer chains to (the test PKI's CA, `pki.caFile`); given the
 * signer's own certificate, SWUpdate 2022.12 fails ("Authentication of all signatures failed").
 */
export function buildTestSwu(dir: string, pki: PoolPki, options: TestSwuOptions): TestSwu {
  mkdirSync(dir, { recursive: true });
  const payload = options.payload ?? Buffer.from(`hello from ${options.version}\n`);
  writeFileSync(join(dir, 'hello.txt'), payload);
  const installedFile = join(options.targetDir, 'hello.txt');
  const payloadSha256 = createHash('sha256').update(payload).digest('hex');
  writeFileSync(
    join(dir, 'sw-description'),
    `software =
{
	version = "${options.version}";
	description = "ucupdates test image ${options.version}";
	hardware-compatibility: [ "1.0" ];
	files: (
		{
			filename = "hello.txt";
			path = "${installedFile}";
			type = "rawfile";
			sha256 = "${options.wrongSha256 ? 'f'.repeat(64) : payloadSha256}";
			properties: { create-destination = "true"; };
		}
	);
}
`,
  );
  const signer = options.signer === undefined ? pki.signer : options.signer;
  const members = ['sw-description', ...(signer ? ['sw-description.sig'] : []), 'hello.txt'];
  if (signer) {
    execFileSync(
      'openssl',
      ['cms', '-sign', '-in', 'sw-description', '-out', 'sw-description.sig', '-signer', signer.certPath, '-inkey', signer.keyPath, '-outform', 'DER', '-nosmimecap', '-binary'],
      { cwd: dir, stdio: 'pipe' },
    );
  }
  if (options.tamperDescription) {
    writeFileSync(join(dir, 'sw-description'), `${readFileSync(join(dir, 'sw-description'), 'utf8')}# changed after signing\n`);
  }
  const bytes = execFileSync('cpio', ['-o', '-H', 'crc', '--quiet'], { cwd: dir, input: `${(options.order ?? members).join('\n')}\n` });
  const path = join(dir, 'update.swu');
  writeFileSync(path, bytes);
  const hash = (algorithm: string) => createHash(algorithm).update(bytes).digest('hex');
  return {
    path,
    bytes: readFileSync(path),
    sha1: hash('sha1'),
    md5: hash('md5'),
    sha256: hash('sha256'),
    installedFile,
    payload,
  };
}

/**
 * `swupdate -c`: checks an image offline as a device would before installing it, trusting the CA
 * in `caFile`, in its own TMPDIR (SWUpdate's IPC sockets live there), bounded by `timeout`. The
 * verdict is SWUpdate's own "SWUPDATE successful": 2022.12 sometimes exits 1 after printing it (a
 * race as its threads stop; about one run in six here), so the exit status alone would be flaky.
 */
export function checkWithSwupdate(swuPath: string, caFile: string, tmpDir: string): { ok: boolean; output: string } {
  mkdirSync(tmpDir, { recursive: true });
  let output: string;
  try {
    output = execFileSync('timeout', ['30', 'swupdate', '-c', '-i', swuPath, '-k', caFile, '-H', SWU_BOARD], {
      env: { ...process.env, TMPDIR: tmpDir },
      stdio: 'pipe',
    }).toString();
  } catch (error) {
    const failed = error as { stdout?: Buffer; stderr?: Buffer };
    output = `${failed.stdout?.toString() ?? ''}${failed.stderr?.toString() ?? ''}`;
  }
  return { ok: output.includes('SWUPDATE successful') && !output.includes('SWUPDATE failed'), output };
}
