import { createHash } from 'node:crypto';
import { CatalogError, CatalogErrorCode } from './catalog-error';
import { Certificate } from './certificate';
import { validateChain } from './certificate-chain';
import { SignedData, SignerInfo } from './cms-signed-data';
import { DigestAlgorithm, digestLabel } from './digest-algorithm';
import { verifySignatureValue } from './signature-algorithm';
import { TrustStore } from './trust-store';

/** A signer whose signature verified and whose certificate chains to the trust store. */
export interface VerifiedSigner {
  readonly subject: string;
  readonly issuer: string;
  /** Upper-case hex. */
  readonly serialNumber: string;
  /** SHA-256 fingerprint of the signer's certificate, colon-separated hex as Node prints it. */
  readonly fingerprint256: string;
  /** Subjects from the signer's certificate to the trusted certificate the chain reached. */
  readonly chain: readonly string[];
  readonly digestAlgorithm: DigestAlgorithm;
  /** The OIDs of the signer certificate's extended key usage; null when it has none (any use). */
  readonly extendedKeyUsage: readonly string[] | null;
}

export function signerWhat(signer: SignerInfo, what: string): string {
  return `signer ${signer.number} of ${what}`;
}

/** What the signers' signed attributes must say about the content they sign. */
export interface SignedContentCheck {
  readonly contentType: string;
  /** The content's digest with a signer's algorithm. */
  readonly digestOf: (algorithm: DigestAlgorithm, signer: SignerInfo) => Buffer;
  /** The error when a signer's message digest differs: a changed image, or a tampered SignedData. */
  readonly mismatch: (signer: SignerInfo, computed: Buffer, signed: Buffer) => CatalogError;
}

/**
 * Verifies every signer, in three passes so a file always gets the same answer whatever the order
 * of its signers: first each signer's signed attributes against the content (content type and
 * message digest), then each signature value (over the signed attributes, or over the content
 * when there are none), then each signer's chain to the trust store at `now`.
 *
 * Every signer must pass: a second, unverifiable signature is not ignored, as `openssl cms
 * -verify` does not ignore it either.
 */
export function verifySigners(
  signedData: SignedData,
  content: SignedContentCheck,
  trustStore: TrustStore,
  now: Date,
  what: string,
): VerifiedSigner[] {
  if (signedData.signers.length === 0) {
    throw new CatalogError(CatalogErrorCode.NotSigned, `${what} has no signer`);
  }
  for (const signer of signedData.signers) checkSignedAttributes(signer, content, what);
  const certificates = signedData.signers.map((signer) => {
    const who = signerWhat(signer, what);
    const certificate = findSignerCertificate(signer, signedData.certificates, trustStore, who);
    const data = signer.signedAttributes?.signedBytes ?? signedData.content?.digestedBytes;
    if (data === undefined) {
      throw new CatalogError(
        CatalogErrorCode.UnsupportedFormat,
        `${who} has no signed attributes, so it signs the content itself, which a detached signature does not hold`,
      );
    }
    verifySignatureValue({
      algorithm: signer.signatureAlgorithm,
      signerDigest: signer.digestAlgorithm,
      key: certificate.publicKey,
      data,
      signature: signer.signature,
      what: who,
    });
    return certificate;
  });
  return signedData.signers.map((signer, index) => {
    const certificate = certificates[index];
    const chain = validateChain(certificate, signedData.certificates, trustStore, now, signerWhat(signer, what));
    return {
      subject: certificate.subject,
      issuer: certificate.issuer,
      serialNumber: certificate.serialNumber,
      fingerprint256: certificate.fingerprint256,
      chain: chain.map((link) => link.subject),
      digestAlgorithm: signer.digestAlgorithm,
      extendedKeyUsage: certificate.x509.keyUsage ?? null,
    };
  });
}

/** A signer without signed attributes signs the content itself: nothing to check here. */
function checkSignedAttributes(signer: SignerInfo, content: SignedContentCheck, what: string): void {
  const attributes = signer.signedAttributes;
  if (attributes === undefined) return;
  const who = signerWhat(signer, what);
  // RFC 5652 5.3: both are required whenever there are signed attributes.
  if (attributes.contentType === undefined || attributes.messageDigest === undefined) {
    throw new CatalogError(
      CatalogErrorCode.Malformed,
      `${who}'s signed attributes lack the content type or the message digest`,
    );
  }
  if (attributes.contentType !== content.contentType) {
    throw new CatalogError(
      CatalogErrorCode.BadSignature,
      `${who} signed content of type ${attributes.contentType}, but the content is ${content.contentType}`,
    );
  }
  const computed = content.digestOf(signer.digestAlgorithm, signer);
  if (!computed.equals(attributes.messageDigest)) throw content.mismatch(signer, computed, attributes.messageDigest);
}

/** The digest of in-memory content, for signers of encapsulated content. */
export function digestBytes(bytes: Buffer): (algorithm: DigestAlgorithm) => Buffer {
  return (algorithm) => createHash(algorithm).update(bytes).digest();
}

export function describeDigest(algorithm: DigestAlgorithm, digest: Buffer): string {
  return `${digestLabel(algorithm)} ${digest.toString('hex').toUpperCase()}`;
}

/**
 * The certificate a SignerInfo names, among those the signature carries and, for signatures made
 * without certificates (`openssl cms -nocerts`), the trusted ones.
 */
function findSignerCertificate(
  signer: SignerInfo,
  carried: readonly Certificate[],
  trustStore: TrustStore,
  who: string,
): Certificate {
  const id = signer.identifier;
  const matches = (certificate: Certificate): boolean =>
    id.kind === 'issuerAndSerialNumber'
      ? certificate.issuerDer.equals(id.issuerDer) && certificate.serialDer.equals(id.serialDer)
      : certificate.subjectKeyIdentifier?.equals(id.keyIdentifier) === true;
  const found = carried.find(matches) ?? trustStore.certificates.find(matches);
  if (found === undefined) {
    const named =
      id.kind === 'issuerAndSerialNumber'
        ? `serial ${id.serialDer.toString('hex').toUpperCase()}`
        : `key id ${id.keyIdentifier.toString('hex')}`;
    throw new CatalogError(
      CatalogErrorCode.UntrustedSigner,
      `${who}'s certificate (${named}) is neither included in the signature nor trusted`,
    );
  }
  return found;
}
