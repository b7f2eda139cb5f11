import { createHash } from 'node:crypto';
import { CatalogErrorCode } from '../../catalog/src/catalog-error';
import { signDetached } from '../../catalog/src/detached-signature';
import { type Issued, Profile, TestPki } from '../../../test/support/test-pki';
import { TrustStore } from '../../catalog/src/trust-store';
import { bufferSource } from './cpio-reader';
import { bufferEntry, writeCpio } from './cpio-writer';
import { SwuErrorCode } from './swu-error';
import { readSwuHead, verifySwuSignature } from './swu-image';

const VALID = { notBefore: '20240101000000Z', notAfter: '20400101000000Z' };
const NOW = new Date('2026-06-01T00:00:00Z');
const DESCRIPTION = Buffer.from('software = { version = "1.0.0"; hardware-compatibility: [ "1.0" ]; };\n');

async function swu(...members: [string, Buffer][]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of writeCpio(members.map(([name, bytes]) => bufferEntry(name, bytes)))) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('a .swu image', () => {
  let pki: TestPki;
  let root: Issued;
  let trustStore: TrustStore;
  const sign = (signer: Issued, content = DESCRIPTION) =>
    signDetached({
      imageSha256: createHash('sha256').update(content).digest(),
      certificatePem: signer.pem,
      keyPem: pki.read(`${signer.name}.key`).toString(),
      signingTime: NOW,
    });
  const issue = (name: string, profile: Profile, issuer = root) =>
    pki.issue(name, { subject: `/CN=${name}/O=ucupdates`, issuer, profile, ...VALID });
  const head = async (...members: [string, Buffer][]) => readSwuHead(bufferSource(await swu(...members)));

  beforeAll(() => {
    pki = TestPki.create();
    root = pki.issue('root', { subject: '/CN=Root/O=ucupdates', profile: Profile.Ca, notBefore: '20200101000000Z', notAfter: '20450101000000Z' });
    trustStore = TrustStore.fromPem(root.pem);
  });

  afterAll(() => pki.remove());

  it('is read up to its two first members: sw-description and its signature', async () => {
    const read = await head(['sw-description', DESCRIPTION], ['sw-description.sig', Buffer.from('sig')], ['rootfs.ext4', Buffer.alloc(1000)]);
    expect(read.description).toEqual(DESCRIPTION);
    expect(read.signature?.toString()).toBe('sig');
    expect(read.members.map((member) => member.name)).toEqual(['sw-description', 'sw-description.sig', 'rootfs.ext4']);
    expect((await head(['sw-description', DESCRIPTION], ['hello.txt', Buffer.from('x')])).signature).toBeNull();
  });

  it('is refused when sw-description is not its first member, or when it is empty', async () => {
    await expect(head(['hello.txt', Buffer.from('x')], ['sw-description', DESCRIPTION])).rejects.toMatchObject({
      code: SwuErrorCode.DescriptionNotFirst,
      message: 'its first member is "hello.txt", not sw-description',
    });
    await expect(head()).rejects.toMatchObject({ code: SwuErrorCode.DescriptionNotFirst });
  });

  it.each([
    ['codeSigning and emailProtection', Profile.SmimeSigner],
    ['no extended key usage (an X.509 v1 certificate)', Profile.V1],
  ])('verifies a signature whose signer has %s against the trust store', async (_, profile) => {
    const signer = issue(`signer-${profile}`, profile);
    const signers = await verifySwuSignature(await head(['sw-description', DESCRIPTION], ['sw-description.sig', sign(signer)]), trustStore, NOW);
    expect(signers.map((each) => each.subject)).toEqual([expect.stringContaining(`CN=signer-${profile}`)]);
  });

  it('refuses a signer with codeSigning alone, which SWUpdate refuses, saying how to sign', async () => {
    const signer = issue('code-only', Profile.Signer);
    const refused = verifySwuSignature(await head(['sw-description', DESCRIPTION], ['sw-description.sig', sign(signer)]), trustStore, NOW);
    await expect(refused).rejects.toMatchObject({ code: CatalogErrorCode.CertificateNotAllowed, message: expect.stringContaining('without emailProtection') });
  });

  it('refuses a changed sw-description, an untrusted signer, garbage and an unsigned image', async () => {
    const signer = issue('smime', Profile.SmimeSigner);
    const changed = await head(['sw-description', Buffer.from(`${DESCRIPTION}# changed\n`)], ['sw-description.sig', sign(signer)]);
    await expect(verifySwuSignature(changed, trustStore, NOW)).rejects.toMatchObject({
      code: CatalogErrorCode.HashMismatch,
      message: expect.stringContaining('sw-description.sig'),
    });
    const rogueRoot = pki.issue('rogue-root', { subject: '/CN=Rogue', profile: Profile.Ca, ...VALID });
    const rogue = issue('rogue', Profile.SmimeSigner, rogueRoot);
    const untrusted = await head(['sw-description', DESCRIPTION], ['sw-description.sig', sign(rogue)]);
    await expect(verifySwuSignature(untrusted, trustStore, NOW)).rejects.toMatchObject({ code: CatalogErrorCode.UntrustedSigner });
    const garbage = await head(['sw-description', DESCRIPTION], ['sw-description.sig', Buffer.from('not a signature')]);
    await expect(verifySwuSignature(garbage, trustStore, NOW)).rejects.toMatchObject({ code: CatalogErrorCode.Malformed });
    const unsigned = await head(['sw-description', DESCRIPTION]);
    await expect(verifySwuSignature(unsigned, trustStore, NOW)).rejects.toMatchObject({ code: SwuErrorCode.NotSigned });
  });
});
