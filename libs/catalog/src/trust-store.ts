import { X509Certificate } from 'node:crypto';
import { malformed } from './catalog-error';
import { Certificate } from './certificate';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]*?)-----END CERTIFICATE-----/g;

/**
 * The certificates a pool trusts to sign updates (the PEM bundle named in the configuration).
 * A signature is accepted when its signer's chain reaches one of them; a certificate here may be a
 * root, an intermediate or the signer itself (which then needs no issuer). Parse it once at start-up
 * and reuse it: it is immutable.
 */
export class TrustStore {
  private constructor(readonly certificates: readonly Certificate[]) {}

  /**
   * Reads every CERTIFICATE block of a PEM bundle; other blocks (keys, comments) are ignored. An
   * empty bundle is refused: it would make every signed update fail, which is a configuration error.
   */
  static fromPem(pem: string | Buffer): TrustStore {
    const text = typeof pem === 'string' ? pem : pem.toString('latin1');
    const certificates = [...text.matchAll(PEM_CERTIFICATE)].map((match, index) =>
      Certificate.fromDer(Buffer.from(match[1].replace(/\s+/g, ''), 'base64'), `trusted certificate ${index + 1}`),
    );
    return TrustStore.of(certificates);
  }

  /** From certificates already parsed by Node, or as DER. */
  static fromCertificates(certificates: readonly (X509Certificate | Uint8Array)[]): TrustStore {
    return TrustStore.of(
      certificates.map((certificate, index) =>
        certificate instanceof X509Certificate
          ? Certificate.fromX509(certificate, `trusted certificate ${index + 1}`)
          : Certificate.fromDer(Buffer.from(certificate), `trusted certificate ${index + 1}`),
      ),
    );
  }

  private static of(certificates: Certificate[]): TrustStore {
    if (certificates.length === 0) throw malformed('the trust store holds no certificate');
    const unique = certificates.filter(
      (certificate, index) => certificates.findIndex((other) => other.equals(certificate)) === index,
    );
    return new TrustStore(unique);
  }

  get size(): number {
    return this.certificates.length;
  }

  /** Whether this very certificate (byte for byte) is trusted. */
  contains(certificate: Certificate): boolean {
    return this.certificates.some((trusted) => trusted.equals(certificate));
  }
}
