import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CatalogError, CatalogErrorCode } from './catalog-error';
import { signDetached } from './detached-signature';
import { digestImage, ImageDigester, ImageDigests } from './image-digests';
import { buildCatalogTrustList, CatalogMemberSpec } from './testing/catalog-builder';
import { signPkcs7Content } from './testing/pkcs7-builder';
import { Issued, Profile, TestPki } from '../../../test/support/test-pki';
import { TrustStore } from './trust-store';
import { imageDigestAlgorithms, UpdateCatalogForm, verifyUpdateCatalog, VerifyUpdateCatalogOptions } from './update-catalog-verifier';

// Catalogs made here with the openssl command line (Debian's `openssl` 3.0) from a throw-away PKI.

const CTL = '1.3.6.1.4.1.311.10.1';
const NOW = new Date('2026-06-01T00:00:00Z');
const VALID = { notBefore: '20240101000000Z', notAfter: '20400101000000Z' };

function refusal(options: VerifyUpdateCatalogOptions): CatalogError {
  try {
    verifyUpdateCatalog(options);
  } catch (error) {
    if (error instanceof CatalogError) return error;
    throw error;
  }
  throw new Error('the catalog was accepted');
}

describe('verifyUpdateCatalog', () => {
  let pki: TestPki;
  let root: Issued;
  let signer: Issued;
  let rsaSigner: Issued;
  let intermediate: Issued;
  let intermediateSigner: Issued;
  let rogueRoot: Issued;
  let rogueSigner: Issued;
  let trustStore: TrustStore;
  let image: Buffer;
  let digests: ImageDigests;

  beforeAll(async () => {
    pki = TestPki.create();
    root = pki.issue('root', {
      subject: '/CN=Test Root/O=ucupdates',
      profile: Profile.Ca,
      notBefore: '20200101000000Z',
      notAfter: '20450101000000Z',
    });
    signer = pki.issue('signer', {
      subject: '/CN=Test Signer/O=ucupdates',
      issuer: root,
      profile: Profile.Signer,
      ...VALID,
    });
    rsaSigner = pki.issue('rsa-signer', {
      subject: '/CN=Test RSA Signer',
      issuer: root,
      profile: Profile.Signer,
      key: 'rsa',
      ...VALID,
    });
    intermediate = pki.issue('intermediate', {
      subject: '/CN=Test Intermediate',
      issuer: root,
      profile: Profile.Ca,
      notBefore: '20220101000000Z',
      notAfter: '20420101000000Z',
    });
    intermediateSigner = pki.issue('intermediate-signer', {
      subject: '/CN=Test Intermediate Signer',
      issuer: intermediate,
      profile: Profile.Signer,
      ...VALID,
    });
    rogueRoot = pki.issue('rogue-root', {
      subject: '/CN=Rogue Root',
      profile: Profile.Ca,
      notBefore: '20200101000000Z',
      notAfter: '20450101000000Z',
    });
    rogueSigner = pki.issue('rogue-signer', {
      subject: '/CN=Test Signer/O=ucupdates',
      issuer: rogueRoot,
      profile: Profile.Signer,
      ...VALID,
    });
    trustStore = TrustStore.fromPem(root.pem);
    image = randomBytes(200_000);
    pki.write('CPE.nbt', image);
    digests = await digestImage(image);
  });

  afterAll(() => pki?.remove());

  const verify = (catalog: Buffer, overrides: Partial<VerifyUpdateCatalogOptions> = {}) =>
    verifyUpdateCatalog({ catalog, imageDigests: digests, trustStore, now: NOW, ...overrides });

  describe('a detached signature made by signDetached (ucupdates new-package)', () => {
    const made = (who: Issued, extra = '') =>
      signDetached({
        imageSha256: createHash('sha256').update(image).digest(),
        certificatePem: who.pem + extra,
        keyPem: readFileSync(who.keyPath, 'utf8'),
        signingTime: NOW,
      });

    it.each([['an EC', () => signer], ['an RSA', () => rsaSigner]])('is accepted from %s signer, and by openssl cms -verify', (_kind, who) => {
      const catalog = made(who());
      const result = verify(catalog);
      expect(result.form).toBe(UpdateCatalogForm.DetachedSignature);
      expect(result.signers).toHaveLength(1);
      pki.write('made.cat', catalog);
      execFileSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', pki.path('made.cat'), '-content', pki.path('CPE.nbt'), '-CAfile', root.certPath, '-purpose', 'any', '-out', '/dev/null'], { stdio: 'pipe' });
    });

    it('carries the chain given after the certificate, so an intermediate-issued signer verifies', () => {
      expect(verify(made(intermediateSigner, intermediate.pem)).signers).toHaveLength(1);
    });

    it('is refused for another image, and for a signer the pool does not trust', async () => {
      const base = { imageDigests: digests, trustStore, now: NOW };
      expect(refusal({ ...base, catalog: made(signer), imageDigests: await digestImage(randomBytes(10)) }).code).toBe(CatalogErrorCode.HashMismatch);
      expect(refusal({ ...base, catalog: made(rogueSigner) }).code).toBe(CatalogErrorCode.UntrustedSigner);
    });

    it("refuses a key that is not the certificate's", () => {
      expect(() => signDetached({ imageSha256: Buffer.alloc(32), certificatePem: signer.pem, keyPem: readFileSync(rsaSigner.keyPath, 'utf8') })).toThrow(
        "the key is not the certificate's key",
      );
    });
  });

  describe('a detached signature over the image', () => {
    it('is accepted when signed by a signer of the trust store', () => {
      const result = verify(pki.cmsSign('CPE.nbt', signer, 'detached.cat'));
      expect(result.form).toBe(UpdateCatalogForm.DetachedSignature);
      expect(result.imageDigestAlgorithm).toBe('sha256');
      expect(result.signers).toHaveLength(1);
      expect(result.signers[0]).toMatchObject({
        subject: 'CN=Test Signer, O=ucupdates',
        issuer: 'CN=Test Root, O=ucupdates',
        chain: ['CN=Test Signer, O=ucupdates', 'CN=Test Root, O=ucupdates'],
        digestAlgorithm: 'sha256',
      });
    });

    it('is accepted at the current time when no time is given', () => {
      expect(
        verifyUpdateCatalog({ catalog: pki.cmsSign('CPE.nbt', signer, 'now.cat'), imageDigests: digests, trustStore })
          .form,
      ).toBe(UpdateCatalogForm.DetachedSignature);
    });

    it('compares the digest of the algorithm the signer used (SHA-1, SHA-384, SHA-512)', () => {
      for (const md of ['sha1', 'sha384', 'sha512'] as const) {
        const result = verify(pki.cmsSign('CPE.nbt', rsaSigner, `detached-${md}.cat`, ['-md', md]));
        expect(result.imageDigestAlgorithm).toBe(md);
      }
    });

    it('names the digests it needs: SHA-1 and SHA-256, and the algorithm each signer used', () => {
      expect(imageDigestAlgorithms(pki.cmsSign('CPE.nbt', signer, 'detached.cat'))).toEqual(['sha1', 'sha256']);
      for (const md of ['sha384', 'sha512'] as const) {
        const catalog = pki.cmsSign('CPE.nbt', rsaSigner, `detached-${md}.cat`, ['-md', md]);
        expect(imageDigestAlgorithms(catalog)).toEqual(['sha1', 'sha256', md]);
        // Those digests alone are enough to verify it.
        const only = Object.fromEntries(imageDigestAlgorithms(catalog).map((algorithm) => [algorithm, digests[algorithm]]));
        expect(verify(catalog, { imageDigests: only }).imageDigestAlgorithm).toBe(md);
      }
      expect(imageDigestAlgorithms(Buffer.from('not a catalog'))).toEqual(['sha1', 'sha256']);
    });

    it('accepts RSA-PSS signatures and signers named by subject key identifier', () => {
      expect(verify(pki.cmsSign('CPE.nbt', rsaSigner, 'pss.cat', ['-keyopt', 'rsa_padding_mode:pss'])).form).toBe(
        UpdateCatalogForm.DetachedSignature,
      );
      expect(verify(pki.cmsSign('CPE.nbt', signer, 'keyid.cat', ['-keyid'])).signers[0].subject).toBe(
        'CN=Test Signer, O=ucupdates',
      );
    });

    it('refuses an image changed by one byte (HashMismatch)', () => {
      const catalog = pki.cmsSign('CPE.nbt', signer, 'detached.cat');
      const changed = Buffer.from(image);
      changed[1000] ^= 0x01;
      const error = refusal({
        catalog,
        imageDigests: { sha256: createHash('sha256').update(changed).digest() },
        trustStore,
        now: NOW,
      });
      expect(error.code).toBe(CatalogErrorCode.HashMismatch);
      expect(error.message).toContain("the image's SHA-256");
    });

    it('refuses a signature value changed by one bit (BadSignature)', () => {
      const catalog = pki.cmsSign('CPE.nbt', rsaSigner, 'bad-signature.cat');
      // With no unsigned attributes the SignerInfo, and the file, end with the signature value.
      catalog[catalog.length - 1] ^= 0x01;
      expect(refusal({ catalog, imageDigests: digests, trustStore, now: NOW }).code).toBe(
        CatalogErrorCode.BadSignature,
      );
    });

    it('refuses changed signed attributes (BadSignature)', () => {
      const catalog = pki.cmsSign('CPE.nbt', signer, 'attributes.cat');
      // The signing time is the one UTCTime of the signed attributes; certificates have theirs too,
      // so change the last one in the file.
      const signingTime = catalog.lastIndexOf(Buffer.from([0x17, 0x0d]));
      catalog[signingTime + 2] = catalog[signingTime + 2] === 0x30 ? 0x31 : 0x30;
      expect(refusal({ catalog, imageDigests: digests, trustStore, now: NOW }).code).toBe(
        CatalogErrorCode.BadSignature,
      );
    });

    it('refuses a signer from a CA outside the trust store (UntrustedSigner)', () => {
      const catalog = pki.cmsSign('CPE.nbt', rogueSigner, 'rogue.cat', ['-certfile', rogueRoot.certPath]);
      const error = refusal({ catalog, imageDigests: digests, trustStore, now: NOW });
      expect(error.code).toBe(CatalogErrorCode.UntrustedSigner);
      expect(error.message).toContain('self-signed "CN=Rogue Root"');
    });

    it('refuses a signer whose certificate has expired or is not valid yet', () => {
      const expired = pki.issue('expired-signer', {
        subject: '/CN=Expired Signer',
        issuer: root,
        profile: Profile.Signer,
        notBefore: '20200101000000Z',
        notAfter: '20210101000000Z',
      });
      const future = pki.issue('future-signer', {
        subject: '/CN=Future Signer',
        issuer: root,
        profile: Profile.Signer,
        notBefore: '20410101000000Z',
        notAfter: '20440101000000Z',
      });
      const expiredError = refusal({
        catalog: pki.cmsSign('CPE.nbt', expired, 'expired.cat'),
        imageDigests: digests,
        trustStore,
        now: NOW,
      });
      expect(expiredError.code).toBe(CatalogErrorCode.CertificateExpired);
      expect(expiredError.message).toContain('expired on 2021-01-01T00:00:00.000Z');
      const futureError = refusal({
        catalog: pki.cmsSign('CPE.nbt', future, 'future.cat'),
        imageDigests: digests,
        trustStore,
        now: NOW,
      });
      expect(futureError.code).toBe(CatalogErrorCode.CertificateNotYetValid);
      // The same signature is fine at a time when the certificate was valid.
      expect(
        verify(pki.cmsSign('CPE.nbt', expired, 'expired.cat'), { now: new Date('2020-06-01T00:00:00Z') }).form,
      ).toBe(UpdateCatalogForm.DetachedSignature);
    });

    it('accepts a signer under an intermediate when the signature carries the intermediate', () => {
      const carried = pki.cmsSign('CPE.nbt', intermediateSigner, 'intermediate.cat', [
        '-certfile',
        intermediate.certPath,
      ]);
      expect(verify(carried).signers[0].chain).toEqual([
        'CN=Test Intermediate Signer',
        'CN=Test Intermediate',
        'CN=Test Root, O=ucupdates',
      ]);

      const missing = pki.cmsSign('CPE.nbt', intermediateSigner, 'no-intermediate.cat');
      const error = refusal({ catalog: missing, imageDigests: digests, trustStore, now: NOW });
      expect(error.code).toBe(CatalogErrorCode.UntrustedSigner);
      expect(error.message).toContain('whose issuer "CN=Test Intermediate" is neither trusted nor included');

      // Trusting the intermediate itself is enough.
      expect(verify(missing, { trustStore: TrustStore.fromPem(intermediate.pem) }).signers[0].chain).toHaveLength(2);
    });

    it('refuses a chain through an expired intermediate', () => {
      const oldIntermediate = pki.issue('old-intermediate', {
        subject: '/CN=Old Intermediate',
        issuer: root,
        profile: Profile.Ca,
        notBefore: '20200101000000Z',
        notAfter: '20230101000000Z',
      });
      const underOld = pki.issue('under-old', {
        subject: '/CN=Under Old',
        issuer: oldIntermediate,
        profile: Profile.Signer,
        ...VALID,
      });
      const error = refusal({
        catalog: pki.cmsSign('CPE.nbt', underOld, 'under-old.cat', ['-certfile', oldIntermediate.certPath]),
        imageDigests: digests,
        trustStore,
        now: NOW,
      });
      expect(error.code).toBe(CatalogErrorCode.CertificateExpired);
      expect(error.message).toContain('the issuing certificate "CN=Old Intermediate"');
    });

    it('refuses certificates used beyond what they allow (CertificateNotAllowed)', () => {
      // An end-entity certificate (CA:FALSE) that issued another.
      const notCa = pki.issue('not-ca', { subject: '/CN=Not A CA', issuer: root, profile: Profile.Signer, ...VALID });
      const underNotCa = pki.issue('under-not-ca', {
        subject: '/CN=Under Not A CA',
        issuer: notCa,
        profile: Profile.Signer,
        ...VALID,
      });
      const notCaError = refusal({
        catalog: pki.cmsSign('CPE.nbt', underNotCa, 'not-ca.cat', ['-certfile', notCa.certPath]),
        imageDigests: digests,
        trustStore,
        now: NOW,
      });
      expect(notCaError.code).toBe(CatalogErrorCode.CertificateNotAllowed);
      expect(notCaError.message).toContain('is not a CA');

      // pathlen:0 on the intermediate, and a second intermediate below it.
      const narrow = pki.issue('narrow', {
        subject: '/CN=Narrow CA',
        issuer: root,
        profile: Profile.CaNoIntermediates,
        ...VALID,
      });
      const below = pki.issue('below-narrow', {
        subject: '/CN=Below Narrow',
        issuer: narrow,
        profile: Profile.Ca,
        ...VALID,
      });
      const deep = pki.issue('deep-signer', {
        subject: '/CN=Deep Signer',
        issuer: below,
        profile: Profile.Signer,
        ...VALID,
      });
      pki.bundle('narrow-chain.pem', [below, narrow]);
      const pathError = refusal({
        catalog: pki.cmsSign('CPE.nbt', deep, 'deep.cat', ['-certfile', pki.path('narrow-chain.pem')]),
        imageDigests: digests,
        trustStore,
        now: NOW,
      });
      expect(pathError.code).toBe(CatalogErrorCode.CertificateNotAllowed);
      expect(pathError.message).toContain('allows 0 intermediate CA certificates');

      // A signer whose key usage is encryption only.
      const encrypter = pki.issue('encrypter', {
        subject: '/CN=Encrypter',
        issuer: root,
        profile: Profile.EncryptionOnly,
        key: 'rsa',
        ...VALID,
      });
      const usageError = refusal({
        catalog: pki.cmsSign('CPE.nbt', encrypter, 'encrypter.cat'),
        imageDigests: digests,
        trustStore,
        now: NOW,
      });
      expect(usageError.code).toBe(CatalogErrorCode.CertificateNotAllowed);
      expect(usageError.message).toContain('key usage');
    });

    it('refuses a certificate with an unknown critical extension (CertificateNotAllowed)', () => {
      const odd = pki.issue('odd-signer', {
        subject: '/CN=Odd Signer',
        issuer: root,
        profile: Profile.UnknownCritical,
        ...VALID,
      });
      const error = refusal({
        catalog: pki.cmsSign('CPE.nbt', odd, 'odd.cat'),
        imageDigests: digests,
        trustStore,
        now: NOW,
      });
      expect(error.code).toBe(CatalogErrorCode.CertificateNotAllowed);
      expect(error.message).toContain('1.3.6.1.4.1.55555.1');
    });

    it('accepts an X.509 v1 root (no basic constraints) when it is trusted, but not a v1 intermediate', () => {
      const v1Root = pki.issue('v1-root', { subject: '/CN=V1 Root', profile: Profile.V1, ...VALID });
      const underV1 = pki.issue('under-v1', {
        subject: '/CN=Under V1',
        issuer: v1Root,
        profile: Profile.Signer,
        ...VALID,
      });
      const catalog = pki.cmsSign('CPE.nbt', underV1, 'under-v1.cat', ['-certfile', v1Root.certPath]);
      expect(verify(catalog, { trustStore: TrustStore.fromPem(v1Root.pem) }).signers[0].chain).toEqual([
        'CN=Under V1',
        'CN=V1 Root',
      ]);

      const v1Intermediate = pki.issue('v1-intermediate', {
        subject: '/CN=V1 Intermediate',
        issuer: root,
        profile: Profile.V1,
        ...VALID,
      });
      const underV1Intermediate = pki.issue('under-v1-intermediate', {
        subject: '/CN=Under V1 Intermediate',
        issuer: v1Intermediate,
        profile: Profile.Signer,
        ...VALID,
      });
      const error = refusal({
        catalog: pki.cmsSign('CPE.nbt', underV1Intermediate, 'under-v1-intermediate.cat', [
          '-certfile',
          v1Intermediate.certPath,
        ]),
        imageDigests: digests,
        trustStore,
        now: NOW,
      });
      expect(error.code).toBe(CatalogErrorCode.CertificateNotAllowed);
    });

    it('needs every signer to be trusted', () => {
      pki.run('openssl', [
        'cms',
        '-sign',
        '-binary',
        '-outform',
        'DER',
        '-in',
        pki.path('CPE.nbt'),
        '-out',
        pki.path('two-signers.cat'),
        '-signer',
        signer.certPath,
        '-inkey',
        signer.keyPath,
        '-signer',
        rogueSigner.certPath,
        '-inkey',
        rogueSigner.keyPath,
      ]);
      const error = refusal({ catalog: pki.read('two-signers.cat'), imageDigests: digests, trustStore, now: NOW });
      expect(error.code).toBe(CatalogErrorCode.UntrustedSigner);
      // The rogue signer has the trusted signer's subject; its issuer gives it away.
      expect(error.message).toContain('whose issuer "CN=Rogue Root"');
    });

    it('finds a signer certificate left out of the signature in the trust store', () => {
      const catalog = pki.cmsSign('CPE.nbt', signer, 'nocerts.cat', ['-nocerts']);
      expect(refusal({ catalog, imageDigests: digests, trustStore, now: NOW }).code).toBe(
        CatalogErrorCode.UntrustedSigner,
      );
      expect(verify(catalog, { trustStore: TrustStore.fromPem(root.pem + signer.pem) }).signers[0].chain).toEqual([
        'CN=Test Signer, O=ucupdates',
      ]);
    });

    it('refuses a detached signature without signed attributes (UnsupportedFormat)', () => {
      const catalog = pki.cmsSign('CPE.nbt', signer, 'noattr.cat', ['-noattr']);
      expect(refusal({ catalog, imageDigests: digests, trustStore, now: NOW }).code).toBe(
        CatalogErrorCode.UnsupportedFormat,
      );
    });

    it('says so when the caller did not compute the digest the signer used', () => {
      const catalog = pki.cmsSign('CPE.nbt', signer, 'sha512.cat', ['-md', 'sha512']);
      expect(() => verify(catalog, { imageDigests: { sha256: digests.sha256 as Buffer } })).toThrow(
        "signer 1 of the catalog uses SHA-512, but the image's SHA-512 was not given",
      );
    });
  });

  describe('a Windows catalog (signed certificate trust list)', () => {
    const member = (algorithm: 'sha1' | 'sha256', bytes: Buffer = image, indirectData = true): CatalogMemberSpec => ({
      digestAlgorithm: algorithm,
      digest: createHash(algorithm).update(bytes).digest(),
      indirectData,
    });
    const others = (algorithm: 'sha1' | 'sha256') => [
      member(algorithm, randomBytes(10)),
      member(algorithm, randomBytes(10)),
    ];

    function signTrustList(
      name: string,
      members: CatalogMemberSpec[],
      by: Issued = signer,
      extra: string[] = [],
    ): Buffer {
      pki.write(`${name}.ctl`, buildCatalogTrustList(members));
      return pki.cmsSign(`${name}.ctl`, by, `${name}.cat`, ['-nodetach', '-econtent_type', CTL, ...extra]);
    }

    it('is accepted when a member has the image SHA-256', () => {
      const result = verify(signTrustList('ctl-sha256', [...others('sha256'), member('sha256')]));
      expect(result).toMatchObject({ form: UpdateCatalogForm.CertificateTrustList, imageDigestAlgorithm: 'sha256' });
      expect(result.signers[0].subject).toBe('CN=Test Signer, O=ucupdates');
    });

    it('is accepted when a member has the image SHA-1', () => {
      const result = verify(signTrustList('ctl-sha1', [member('sha1'), ...others('sha1')], rsaSigner, ['-md', 'sha1']));
      expect(result).toMatchObject({ form: UpdateCatalogForm.CertificateTrustList, imageDigestAlgorithm: 'sha1' });
    });

    it('matches a member without indirect data by its tag', () => {
      expect(
        verify(signTrustList('ctl-tag', [...others('sha1'), member('sha1', image, false)])).imageDigestAlgorithm,
      ).toBe('sha1');
    });

    it('accepts the PKCS #7 form Windows writes, the trust list not wrapped in an OCTET STRING', () => {
      const ski = pki
        .run('openssl', ['x509', '-in', signer.certPath, '-noout', '-ext', 'subjectKeyIdentifier'])
        .toString();
      const catalog = signPkcs7Content({
        contentType: CTL,
        content: buildCatalogTrustList([member('sha256')]),
        certificatePem: signer.pem,
        keyPem: pki.read('signer.key').toString(),
        subjectKeyIdentifier: Buffer.from(ski.split('\n')[1].trim().replace(/:/g, ''), 'hex'),
      });
      expect(verify(catalog).form).toBe(UpdateCatalogForm.CertificateTrustList);
    });

    it('refuses an image whose hash is not a member (HashMismatch)', () => {
      const catalog = signTrustList('ctl-other', [...others('sha256'), member('sha256')]);
      const changed = Buffer.from(image);
      changed[0] ^= 0x80;
      const error = refusal({ catalog, imageDigests: sha1AndSha256(changed), trustStore, now: NOW });
      expect(error.code).toBe(CatalogErrorCode.HashMismatch);
      expect(error.message).toContain('none of the 3 members of the catalog is the image');
    });

    it('refuses a trust list changed after signing (BadSignature)', () => {
      const extra = member('sha256', randomBytes(10));
      const catalog = signTrustList('ctl-tampered', [extra, member('sha256')]);
      const at = catalog.indexOf(extra.digest);
      catalog[at] ^= 0x01;
      const error = refusal({ catalog, imageDigests: digests, trustStore, now: NOW });
      expect(error.code).toBe(CatalogErrorCode.BadSignature);
      expect(error.message).toContain('changed after signing');
    });

    it('refuses a trust list signed by a rogue CA (UntrustedSigner)', () => {
      const catalog = signTrustList('ctl-rogue', [member('sha256')], rogueSigner);
      expect(refusal({ catalog, imageDigests: digests, trustStore, now: NOW }).code).toBe(
        CatalogErrorCode.UntrustedSigner,
      );
    });

    it('refuses trust lists that are not catalogs, and other signed content (UnsupportedFormat)', () => {
      pki.write('root-list.ctl', buildCatalogTrustList([member('sha1')], '1.3.6.1.5.5.7.3.3'));
      const rootList = pki.cmsSign('root-list.ctl', signer, 'root-list.cat', ['-nodetach', '-econtent_type', CTL]);
      expect(refusal({ catalog: rootList, imageDigests: digests, trustStore, now: NOW }).code).toBe(
        CatalogErrorCode.UnsupportedFormat,
      );

      const attached = pki.cmsSign('CPE.nbt', signer, 'attached.cat', ['-nodetach']);
      expect(refusal({ catalog: attached, imageDigests: digests, trustStore, now: NOW }).code).toBe(
        CatalogErrorCode.UnsupportedFormat,
      );
    });
  });

  describe('bytes that are not a catalog', () => {
    it.each([
      ['garbage', () => randomBytes(300)],
      ['an empty file', () => Buffer.alloc(0)],
      ['text', () => Buffer.from('not a catalog\n')],
      ['a truncated catalog', () => pki.cmsSign('CPE.nbt', signer, 'truncated.cat').subarray(0, 500)],
      [
        'a catalog with bytes after it',
        () => Buffer.concat([pki.cmsSign('CPE.nbt', signer, 'trailing.cat'), Buffer.from([0])]),
      ],
      ['a certificate', () => Buffer.from(signer.pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64')],
    ])('refuses %s (Malformed)', (_name, bytes) => {
      expect(refusal({ catalog: bytes(), imageDigests: digests, trustStore, now: NOW }).code).toBe(
        CatalogErrorCode.Malformed,
      );
    });
  });

  /** SHA-1 and SHA-256 of in-memory bytes. */
  function sha1AndSha256(bytes: Buffer): ImageDigests {
    return new ImageDigester(['sha1', 'sha256']).update(bytes).digests();
  }
});

describe('ImageDigester and digestImage', () => {
  it('hash a streamed image like one buffer', async () => {
    const image = randomBytes(100_000);
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let at = 0; at < image.length; at += 7_000) yield image.subarray(at, at + 7_000);
    }
    const streamed = await digestImage(chunks());
    for (const algorithm of ['sha1', 'sha256', 'sha384', 'sha512'] as const) {
      expect(streamed[algorithm]).toEqual(createHash(algorithm).update(image).digest());
    }
    expect(new ImageDigester(['sha1']).update(image).digests()).toEqual({
      sha1: createHash('sha1').update(image).digest(),
    });
  });

  it('accept digests as hex and refuse wrong lengths', async () => {
    const image = randomBytes(10);
    const pki = TestPki.create();
    try {
      const root = pki.issue('root', { subject: '/CN=Hex Root', profile: Profile.Ca, ...VALID });
      const signer = pki.issue('signer', {
        subject: '/CN=Hex Signer',
        issuer: root,
        profile: Profile.Signer,
        ...VALID,
      });
      pki.write('image', image);
      const catalog = pki.cmsSign('image', signer, 'image.cat');
      const trustStore = TrustStore.fromPem(root.pem);
      const hex = createHash('sha256').update(image).digest('hex');
      expect(
        verifyUpdateCatalog({ catalog, imageDigests: { sha256: hex.toUpperCase() }, trustStore, now: NOW }).form,
      ).toBe(UpdateCatalogForm.DetachedSignature);
      expect(() => verifyUpdateCatalog({ catalog, imageDigests: { sha256: hex.slice(2) }, trustStore })).toThrow(
        TypeError,
      );
      expect(() => verifyUpdateCatalog({ catalog, imageDigests: {}, trustStore })).toThrow('no digest of the image');
    } finally {
      pki.remove();
    }
  });
});
