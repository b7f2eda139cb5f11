import { X509Certificate } from 'node:crypto';
import { CatalogErrorCode } from './catalog-error';
import { Profile, TestPki } from '../../../test/support/test-pki';
import { TrustStore } from './trust-store';

describe('TrustStore', () => {
  let pki: TestPki;
  let first: string;
  let second: string;

  beforeAll(() => {
    pki = TestPki.create();
    const validity = { notBefore: '20200101000000Z', notAfter: '20450101000000Z' };
    first = pki.issue('first', { subject: '/CN=First Root', profile: Profile.Ca, ...validity }).pem;
    second = pki.issue('second', { subject: '/CN=Second Root', profile: Profile.Ca, ...validity }).pem;
  });

  afterAll(() => pki?.remove());

  it('reads every certificate of a PEM bundle, ignoring other blocks and duplicates', () => {
    const bundle = `# pool trust store\n${first}${pki.read('first.key').toString()}${second}${first}`;
    const store = TrustStore.fromPem(Buffer.from(bundle));
    expect(store.size).toBe(2);
    expect(store.certificates.map((certificate) => certificate.subject)).toEqual(['CN=First Root', 'CN=Second Root']);
  });

  it('takes certificates parsed by Node or as DER', () => {
    const x509 = new X509Certificate(first);
    expect(TrustStore.fromCertificates([x509, new X509Certificate(second).raw]).size).toBe(2);
  });

  it('refuses an empty bundle and a damaged certificate', () => {
    expect(() => TrustStore.fromPem('')).toThrow(expect.objectContaining({ code: CatalogErrorCode.Malformed }));
    const damaged = first.replace(/\n(.{10})/, '\nAAAAAAAAAA');
    expect(() => TrustStore.fromPem(damaged)).toThrow(expect.objectContaining({ code: CatalogErrorCode.Malformed }));
  });
});
