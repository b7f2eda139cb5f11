import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { bufferSource, CabHeader, CabReader, CabSource } from '@ucupdates/cab';
import { cabAuthenticodeDigest, CabAuthenticodeVerification, verifyCabAuthenticode } from './cab-authenticode-verifier';
import { CatalogError, CatalogErrorCode } from './catalog-error';
import { readSignedData } from './cms-signed-data';
import { Issued, Profile, TestPki } from '../../../test/support/test-pki';
import { TrustStore } from './trust-store';

// Cabinets made here with gcab and signed with osslsigncode (Debian packages), checked against
// `osslsigncode verify`; and the signed cabinets of the spec's cab fixtures (FIXTURES, see SOURCES.md there).

const FIXTURES = path.resolve(__dirname, '../../../../shared/fixtures/cab');
const NOW = new Date('2026-06-01T00:00:00Z');
const VALID = { notBefore: '20240101000000Z', notAfter: '20400101000000Z' };

async function verifyBytes(
  bytes: Buffer,
  trustStore: TrustStore,
  now: Date = NOW,
  header?: (header: CabHeader) => CabHeader,
): Promise<CabAuthenticodeVerification> {
  const source = bufferSource(bytes);
  const cab = await CabReader.open(source);
  return verifyCabAuthenticode({ source, header: header ? header(cab.header) : cab.header, trustStore, now });
}

async function refusalOf(promise: Promise<unknown>): Promise<CatalogError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CatalogError) return error;
    throw error;
  }
  throw new Error('the cabinet was accepted');
}

function fixture(name: string): Buffer {
  return readFileSync(path.join(FIXTURES, name));
}

describe('verifyCabAuthenticode on cabinets signed with osslsigncode', () => {
  let pki: TestPki;
  let root: Issued;
  let rogueRoot: Issued;
  let signer: Issued;
  let trustStore: TrustStore;
  let rogueStore: TrustStore;

  /** What `osslsigncode verify` says, with `ca` as its only trusted certificate. */
  const osslsigncodeAccepts = (file: string, ca: Issued): boolean =>
    pki.tryRun('osslsigncode', ['verify', '-CAfile', ca.certPath, '-ignore-crl', '-in', pki.path(file)]).ok;

  beforeAll(() => {
    pki = TestPki.create();
    root = pki.issue('root', {
      subject: '/CN=Cab Root',
      profile: Profile.Ca,
      notBefore: '20200101000000Z',
      notAfter: '20450101000000Z',
    });
    const intermediate = pki.issue('intermediate', {
      subject: '/CN=Cab Intermediate',
      issuer: root,
      profile: Profile.Ca,
      ...VALID,
    });
    signer = pki.issue('signer', {
      subject: '/CN=Cab Signer',
      issuer: intermediate,
      profile: Profile.Signer,
      key: 'rsa',
      ...VALID,
    });
    rogueRoot = pki.issue('rogue-root', {
      subject: '/CN=Cab Root',
      profile: Profile.Ca,
      notBefore: '20200101000000Z',
      notAfter: '20450101000000Z',
    });
    trustStore = TrustStore.fromPem(root.pem);
    rogueStore = TrustStore.fromPem(rogueRoot.pem);

    mkdirSync(pki.path('files'));
    pki.write('files/image.nbt', randomBytes(100_000));
    pki.write('files/update.xml', '<DeviceUpdate/>\n');
    pki.run('gcab', ['-c', '-z', pki.path('plain.cab'), 'image.nbt', 'update.xml'], pki.path('files'));
    const chain = pki.bundle('chain.pem', [signer, intermediate]);
    pki.run('osslsigncode', [
      'sign',
      '-certs',
      chain,
      '-key',
      signer.keyPath,
      '-in',
      pki.path('plain.cab'),
      '-out',
      pki.path('signed.cab'),
    ]);
    pki.run('osslsigncode', [
      'sign',
      '-h',
      'sha1',
      '-certs',
      chain,
      '-key',
      signer.keyPath,
      '-in',
      pki.path('plain.cab'),
      '-out',
      pki.path('signed-sha1.cab'),
    ]);
  });

  afterAll(() => pki?.remove());

  it('accepts a cabinet signed by a signer that chains to the trust store, as osslsigncode does', async () => {
    const result = await verifyBytes(pki.read('signed.cab'), trustStore);
    expect(result.signed).toBe(true);
    if (!result.signed) return;
    expect(result.digestAlgorithm).toBe('sha256');
    expect(result.signers[0].chain).toEqual(['CN=Cab Signer', 'CN=Cab Intermediate', 'CN=Cab Root']);
    expect(osslsigncodeAccepts('signed.cab', root)).toBe(true);

    const sha1 = await verifyBytes(pki.read('signed-sha1.cab'), trustStore);
    expect(sha1.signed && sha1.digestAlgorithm).toBe('sha1');
    expect(osslsigncodeAccepts('signed-sha1.cab', root)).toBe(true);
  });

  it('refuses it against another CA, even one with the same name (UntrustedSigner), as osslsigncode does', async () => {
    const error = await refusalOf(verifyBytes(pki.read('signed.cab'), rogueStore));
    expect(error.code).toBe(CatalogErrorCode.UntrustedSigner);
    expect(osslsigncodeAccepts('signed.cab', rogueRoot)).toBe(false);
  });

  it('refuses a cabinet with one byte of file data changed (HashMismatch), as osslsigncode does', async () => {
    const bytes = pki.read('signed.cab');
    const cab = await CabReader.open(bufferSource(bytes));
    bytes[cab.header.cabinetSize - 100] ^= 0x01;
    pki.write('changed-data.cab', bytes);
    const error = await refusalOf(verifyBytes(bytes, trustStore));
    expect(error.code).toBe(CatalogErrorCode.HashMismatch);
    expect(error.message).toContain('the cabinet was changed after signing');
    expect(osslsigncodeAccepts('changed-data.cab', root)).toBe(false);
  });

  it('hashes exactly the bytes Authenticode covers, as osslsigncode does', async () => {
    // Byte 52 is in the part of the signature reserve the digest leaves out; byte 56 is covered.
    const outside = pki.read('signed.cab');
    outside[52] ^= 0xff;
    pki.write('changed-52.cab', outside);
    expect((await verifyBytes(outside, trustStore)).signed).toBe(true);
    expect(osslsigncodeAccepts('changed-52.cab', root)).toBe(true);

    const inside = pki.read('signed.cab');
    inside[56] ^= 0xff;
    pki.write('changed-56.cab', inside);
    expect((await refusalOf(verifyBytes(inside, trustStore))).code).toBe(CatalogErrorCode.HashMismatch);
    expect(osslsigncodeAccepts('changed-56.cab', root)).toBe(false);
  });

  it('hashes the cabinet in reads of the size asked, never reading the signature into the digest', async () => {
    const bytes = pki.read('signed.cab');
    const cab = await CabReader.open(bufferSource(bytes));
    const area = cab.header.signature;
    if (area === undefined) throw new Error('no signature');
    const reads: number[] = [];
    const source: CabSource = {
      size: bytes.length,
      read: async (offset, length) => {
        reads.push(length);
        expect(offset + length).toBeLessThanOrEqual(area.offset);
        return bytes.subarray(offset, offset + length);
      },
    };
    const small = await cabAuthenticodeDigest(source, area.offset, 'sha256', 4096);
    expect(Math.max(...reads)).toBeLessThanOrEqual(4096);
    expect(small).toEqual(await cabAuthenticodeDigest(bufferSource(bytes), area.offset, 'sha256'));
  });

  it('refuses a signature whose value was changed (BadSignature)', async () => {
    const bytes = pki.read('signed.cab');
    const cab = await CabReader.open(bufferSource(bytes));
    const area = cab.header.signature;
    if (area === undefined) throw new Error('no signature');
    // The SignedData is 30 82 <length>; without a timestamp it ends with the signature value.
    const derLength = 4 + bytes.readUInt16BE(area.offset + 2);
    bytes[area.offset + derLength - 1] ^= 0x01;
    expect((await refusalOf(verifyBytes(bytes, trustStore))).code).toBe(CatalogErrorCode.BadSignature);
  });

  it('says an unsigned cabinet is not signed', async () => {
    expect(await verifyBytes(pki.read('plain.cab'), trustStore)).toEqual({ signed: false });
  });

  it('refuses layouts the digest would not fully cover', async () => {
    const withReserve = await refusalOf(
      verifyBytes(pki.read('signed.cab'), trustStore, NOW, (header) => ({ ...header, dataReserveSize: 4 })),
    );
    expect(withReserve.code).toBe(CatalogErrorCode.UnsupportedFormat);

    const appended = Buffer.concat([pki.read('signed.cab'), Buffer.from('extra')]);
    const error = await refusalOf(verifyBytes(appended, trustStore));
    expect(error.code).toBe(CatalogErrorCode.Malformed);
    expect(error.message).toContain('end the');
  });
});

describe('verifyCabAuthenticode on the signed fixtures', () => {
  let pki: TestPki;
  let testRoot: TrustStore;

  beforeAll(() => {
    pki = TestPki.create();
    testRoot = TrustStore.fromPem(
      pki.issue('root', { subject: '/CN=Unrelated Root', profile: Profile.Ca, ...VALID }).pem,
    );
  });

  afterAll(() => pki?.remove());

  /** The certificates a fixture's signature carries, by subject. */
  async function carriedCertificates(name: string): Promise<X509Certificate[]> {
    const bytes = fixture(name);
    const cab = await CabReader.open(bufferSource(bytes));
    const area = cab.header.signature;
    if (area === undefined) throw new Error(`${name} is not signed`);
    return readSignedData(bytes.subarray(area.offset, area.offset + area.length), name, true).certificates.map(
      (certificate) => certificate.x509,
    );
  }

  async function selfSignedStore(name: string, commonName: string): Promise<TrustStore> {
    const roots = (await carriedCertificates(name)).filter(
      (certificate) => certificate.subject.includes(`CN=${commonName}`) && certificate.subject === certificate.issuer,
    );
    expect(roots).toHaveLength(1);
    return TrustStore.fromCertificates(roots);
  }

  describe('signed-lzx15-firegiant-digicert.cab (FireGiant, DigiCert, SHA-256, timestamped 2022-02-24)', () => {
    const name = 'signed-lzx15-firegiant-digicert.cab';
    const timestamped = new Date('2022-02-24T23:57:35Z');

    it('verifies against the DigiCert root it carries at the time of its timestamp', async () => {
      const result = await verifyBytes(
        fixture(name),
        await selfSignedStore(name, 'DigiCert Assured ID Root CA'),
        timestamped,
      );
      expect(result.signed).toBe(true);
      if (!result.signed) return;
      expect(result.digestAlgorithm).toBe('sha256');
      expect(result.digest.toString('hex').toUpperCase()).toBe(
        'D9A7E824FA2E4FCA3D8EC15A8EEBC9713D46F315151E1D5A95FEED01BD140D62',
      );
      expect(result.signers[0].chain).toEqual([
        'C=US, ST=California, L=San Diego, O=FireGiant, CN=FireGiant',
        'C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert SHA2 Assured ID Code Signing CA',
        'C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert Assured ID Root CA',
      ]);
    });

    it('is expired in 2026 (timestamps are not used), and untrusted without the DigiCert root', async () => {
      const expired = await refusalOf(
        verifyBytes(fixture(name), await selfSignedStore(name, 'DigiCert Assured ID Root CA')),
      );
      expect(expired.code).toBe(CatalogErrorCode.CertificateExpired);
      expect(expired.message).toContain('2022-09-30');
      expect((await refusalOf(verifyBytes(fixture(name), testRoot, timestamped))).code).toBe(
        CatalogErrorCode.UntrustedSigner,
      );
    });
  });

  describe('signed-lzx18-wix-testcert.cab (self-signed WiX Test Certificate, SHA-1, valid 2022-01-06..2023-01-06)', () => {
    const name = 'signed-lzx18-wix-testcert.cab';

    it('verifies when its certificate is trusted and valid', async () => {
      const result = await verifyBytes(
        fixture(name),
        await selfSignedStore(name, 'WiX Test Certificate'),
        new Date(1_650_000_000_000),
      );
      expect(result.signed && result.digestAlgorithm).toBe('sha1');
      expect(result.signed && result.signers[0].chain).toEqual(['CN=WiX Test Certificate']);
    });

    it('is expired in 2026, and untrusted otherwise', async () => {
      expect(
        (await refusalOf(verifyBytes(fixture(name), await selfSignedStore(name, 'WiX Test Certificate')))).code,
      ).toBe(CatalogErrorCode.CertificateExpired);
      expect((await refusalOf(verifyBytes(fixture(name), testRoot, new Date(1_650_000_000_000)))).code).toBe(
        CatalogErrorCode.UntrustedSigner,
      );
    });
  });

  it('signed-stored-gcab-rsa-invalid.cab: the digest matches but the RSA signature does not verify (BadSignature)', async () => {
    const name = 'signed-stored-gcab-rsa-invalid.cab';
    for (const store of [await selfSignedStore(name, 'LVFS CA'), testRoot]) {
      const error = await refusalOf(verifyBytes(fixture(name), store));
      expect(error.code).toBe(CatalogErrorCode.BadSignature);
    }
  });

  it('derived-signed-tampered.cab: refused whatever is trusted (HashMismatch)', async () => {
    const name = 'derived-signed-tampered.cab';
    for (const store of [await selfSignedStore(name, 'DigiCert Assured ID Root CA'), testRoot]) {
      const error = await refusalOf(verifyBytes(fixture(name), store, new Date('2022-02-24T23:57:35Z')));
      expect(error.code).toBe(CatalogErrorCode.HashMismatch);
      expect(error.message).toContain('ECF0BB29');
      expect(error.message).toContain('D9A7E824');
    }
  });

  it('osslsigncode agrees, given the same trusted certificate', async () => {
    const osslsigncodeAccepts = async (name: string, trusted: TrustStore, extra: string[] = []): Promise<boolean> => {
      const ca = pki.write(
        `${name}.pem`,
        trusted.certificates.map((certificate) => certificate.x509.toString()).join(''),
      );
      return pki.tryRun('osslsigncode', [
        'verify',
        '-CAfile',
        ca,
        '-TSA-CAfile',
        ca,
        '-ignore-crl',
        ...extra,
        '-in',
        path.join(FIXTURES, name),
      ]).ok;
    };
    const digicert = await selfSignedStore('signed-lzx15-firegiant-digicert.cab', 'DigiCert Assured ID Root CA');
    // osslsigncode checks the chain at the time of the timestamp, which is where we accept it too.
    expect(await osslsigncodeAccepts('signed-lzx15-firegiant-digicert.cab', digicert)).toBe(true);
    expect(
      await osslsigncodeAccepts(
        'signed-lzx18-wix-testcert.cab',
        await selfSignedStore('signed-lzx18-wix-testcert.cab', 'WiX Test Certificate'),
        ['-time', '1650000000'],
      ),
    ).toBe(true);
    expect(
      await osslsigncodeAccepts(
        'signed-stored-gcab-rsa-invalid.cab',
        await selfSignedStore('signed-stored-gcab-rsa-invalid.cab', 'LVFS CA'),
      ),
    ).toBe(false);
    expect(await osslsigncodeAccepts('derived-signed-tampered.cab', digicert)).toBe(false);
  });

  it('an unsigned fixture is not signed', async () => {
    expect(await verifyBytes(fixture('stored-two-files.cab'), testRoot)).toEqual({ signed: false });
  });
});
