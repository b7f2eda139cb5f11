/** Why a signature was refused. One code per kind of refusal, so callers can map codes to answers. */
export enum CatalogErrorCode {
  /** There is no signature: a cabinet without an Authenticode signature, a SignedData without signers. */
  NotSigned = 'NotSigned',
  /** The bytes are not the DER structure they should be (not CMS, truncated, a field out of place). */
  Malformed = 'Malformed',
  /** Well-formed, but a kind of signature ucupdates does not accept (other content types, layouts). */
  UnsupportedFormat = 'UnsupportedFormat',
  /** A digest or signature algorithm ucupdates does not implement or no longer accepts (MD5). */
  UnsupportedAlgorithm = 'UnsupportedAlgorithm',
  /** The signed object does not vouch for these bytes: the image or cabinet digest differs. */
  HashMismatch = 'HashMismatch',
  /** The signature itself does not verify: its value, or the digest of the content it signs. */
  BadSignature = 'BadSignature',
  /** The signer's certificate does not chain to a certificate of the trust store. */
  UntrustedSigner = 'UntrustedSigner',
  /** A certificate of the chain is past its notAfter. */
  CertificateExpired = 'CertificateExpired',
  /** A certificate of the chain is before its notBefore. */
  CertificateNotYetValid = 'CertificateNotYetValid',
  /**
   * A certificate of the chain may not be used the way the chain uses it: an issuer that is not a
   * CA, a path longer than an issuer allows, a key usage that forbids signing, an unknown critical
   * extension.
   */
  CertificateNotAllowed = 'CertificateNotAllowed',
}

/**
 * A refused signature. The message says what failed and why, without the file's name: the caller
 * knows which file it passed and adds it.
 */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';

  constructor(
    readonly code: CatalogErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function malformed(message: string): CatalogError {
  return new CatalogError(CatalogErrorCode.Malformed, message);
}
