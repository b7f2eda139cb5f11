import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CatalogErrorCode, TrustStore } from '@ucupdates/catalog';
import { bufferSource, readSwuHead, SwuErrorCode, verifySwuSignature } from '@ucupdates/swu';
import { createPoolPki, type PoolPki } from '../support/test-pki';
import { buildTestSwu, checkWithSwupdate } from '../support/swu-builder';
import { ROOT, testServices } from '../support/test-environment';

/**
 * The test SWUpdate image (test/support/swu-builder.ts) against the client nobody here wrote,
 * Debian's `swupdate` (2022.12), offline (`-c`), and against libs/swu, which must agree with it:
 * what SWUpdate accepts the pool accepts, what it refuses for its signer the pool refuses too.
 */
describe('SWUpdate images: Debian swupdate and libs/swu agree', () => {
  let work: string;
  let pki: PoolPki;
  let trustStore: TrustStore;
  let images = 0;
  const build = (options: Partial<Parameters<typeof buildTestSwu>[2]> = {}) =>
    buildTestSwu(join(work, `image-${++images}`), pki, { version: '1.0.1', targetDir: join(work, 'target'), ...options });
  const swupdate = (swu: ReturnType<typeof build>) => checkWithSwupdate(swu.path, pki.caFile, join(work, `tmp-${images}`));

  beforeAll(() => {
    work = mkdtempSync(join(testServices.stateDir, 'swu-image-'));
    pki = createPoolPki(join(work, 'pki'));
    trustStore = TrustStore.fromPem(readFileSync(pki.caFile));
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('the test image: SWUpdate checks it and would install it; the pool reads it and verifies its signer', async () => {
    const swu = build();
    const checked = swupdate(swu);
    expect([checked.ok, checked.output]).toEqual([true, expect.stringContaining('SWUPDATE successful')]);
    const head = await readSwuHead(bufferSource(swu.bytes));
    expect(head.members.map((member) => member.name)).toEqual(['sw-description', 'sw-description.sig', 'hello.txt']);
    expect(head.format).toBe('crc');
    expect((await verifySwuSignature(head, trustStore)).map((signer) => signer.subject)).toEqual(['CN=signer']);
  });

  it('a signer with codeSigning alone: SWUpdate refuses the image, and so does the pool', async () => {
    const swu = build({ signer: pki.codeSigningOnly });
    const checked = swupdate(swu);
    expect([checked.ok, checked.output]).toEqual([false, expect.stringContaining('Authentication of all signatures failed')]);
    await expect(verifySwuSignature(await readSwuHead(bufferSource(swu.bytes)), trustStore)).rejects.toMatchObject({
      code: CatalogErrorCode.CertificateNotAllowed,
    });
  });

  it('a signer the pool does not trust, and an image that is not signed: both refuse it', async () => {
    const rogue = build({ signer: pki.rogue });
    expect(swupdate(rogue).ok).toBe(false);
    await expect(verifySwuSignature(await readSwuHead(bufferSource(rogue.bytes)), trustStore)).rejects.toMatchObject({
      code: CatalogErrorCode.UntrustedSigner,
    });
    const unsigned = build({ signer: null });
    expect(swupdate(unsigned).ok).toBe(false);
    await expect(verifySwuSignature(await readSwuHead(bufferSource(unsigned.bytes)), trustStore)).rejects.toMatchObject({
      code: SwuErrorCode.NotSigned,
    });
  });

  it('an image whose first member is not sw-description: both refuse it', async () => {
    const swu = build({ order: ['hello.txt', 'sw-description', 'sw-description.sig'] });
    expect(swupdate(swu).ok).toBe(false);
    await expect(readSwuHead(bufferSource(swu.bytes))).rejects.toMatchObject({ code: SwuErrorCode.DescriptionNotFirst });
  });

  it("reads GNU cpio's newc form as well as its crc form", async () => {
    const swu = build();
    const newc = execFileSync('cpio', ['-o', '-H', 'newc', '--quiet'], { cwd: join(work, `image-${images}`), input: 'sw-description\nsw-description.sig\nhello.txt\n' });
    const head = await readSwuHead(bufferSource(newc));
    expect(head.format).toBe('newc');
    expect(head.signature).toEqual((await readSwuHead(bufferSource(swu.bytes))).signature);
  });

  it('an image new-package builds and signs from a template and a payload: SWUpdate checks it, the pool verifies it', async () => {
    const dir = join(work, 'new-package');
    mkdirSync(dir);
    writeFileSync(join(dir, 'hello.txt'), 'hello from new-package\n');
    writeFileSync(
      join(dir, 'sw-description.in'),
      `software = {
	version = "3.0.0";
	hardware-compatibility: [ "1.0" ];
	files: ( {
		filename = "hello.txt";
		path = "${join(work, 'target', 'built.txt')}";
		type = "rawfile";
		sha256 = "$swupdate_get_sha256(hello.txt)";
		properties: { create-destination = "true"; };
	} );
};
`,
    );
    const cab = join(dir, 'gw.cab');
    execFileSync(process.execPath, [
      join(ROOT, 'dist/apps/cli/apps/cli/src/main.js'), 'new-package', '-o', cab, '--sw-description', join(dir, 'sw-description.in'),
      '--payload', join(dir, 'hello.txt'), '--certificate', pki.signer.certPath, '--key', pki.signer.keyPath, '--device-type', 'DDI',
      '--brand', 'Contoso', '--model', 'Gateway-1', '--revision', '1.0', '--locale', 'Neutral', '--update-type', 'os', '--version', '3.0.0',
    ], { stdio: 'pipe' });
    execFileSync('cabextract', ['-q', '-d', join(dir, 'out'), cab], { stdio: 'pipe' });
    const path = join(dir, 'out', '1-Gateway-1-os', 'Gateway-1-3.0.0.swu');
    const bytes = readFileSync(path);
    const checked = checkWithSwupdate(path, pki.caFile, join(work, 'tmp-built'));
    expect([checked.ok, checked.output]).toEqual([true, expect.stringContaining('SWUPDATE successful')]);
    expect(await verifySwuSignature(await readSwuHead(bufferSource(bytes)), trustStore)).toHaveLength(1);
  });
});
