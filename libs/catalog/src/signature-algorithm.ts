import { constants, KeyObject, verify } from 'node:crypto';
import { CatalogError, CatalogErrorCode } from './catalog-error';
import { DigestAlgorithm, digestAlgorithmFromOid, digestLabel } from './digest-algorithm';
import { algorithmIdentifier, DerNode, explicit, sequenceOf, smallInteger } from './der-reader';

type KeyKind = 'rsa' | 'rsa-pss' | 'ec';

/** What a SignerInfo's signatureAlgorithm means; `hash: 'signer'` takes the signer's digest algorithm. */
interface SignatureScheme {
  readonly keys: readonly KeyKind[];
  readonly padding?: 'pss';
  readonly hash: DigestAlgorithm | 'signer';
}

const RSA: KeyKind[] = ['rsa'];
const EC: KeyKind[] = ['ec'];

const SCHEMES: Record<string, SignatureScheme> = {
  // PKCS #7 and Authenticode name the key's algorithm and let the digest algorithm say the hash.
  '1.2.840.113549.1.1.1': { keys: RSA, hash: 'signer' },
  '1.2.840.113549.1.1.5': { keys: RSA, hash: 'sha1' },
  '1.3.14.3.2.29': { keys: RSA, hash: 'sha1' },
  '1.2.840.113549.1.1.11': { keys: RSA, hash: 'sha256' },
  '1.2.840.113549.1.1.12': { keys: RSA, hash: 'sha384' },
  '1.2.840.113549.1.1.13': { keys: RSA, hash: 'sha512' },
  '1.2.840.113549.1.1.10': { keys: ['rsa', 'rsa-pss'], padding: 'pss', hash: 'signer' },
  '1.2.840.10045.2.1': { keys: EC, hash: 'signer' },
  '1.2.840.10045.4.1': { keys: EC, hash: 'sha1' },
  '1.2.840.10045.4.3.2': { keys: EC, hash: 'sha256' },
  '1.2.840.10045.4.3.3': { keys: EC, hash: 'sha384' },
  '1.2.840.10045.4.3.4': { keys: EC, hash: 'sha512' },
};

const MGF1 = '1.2.840.113549.1.1.8';

export interface SignatureCheck {
  readonly algorithm: { readonly oid: string; readonly parameters?: DerNode };
  /** The signer's digest algorithm, for schemes that do not name their own hash. */
  readonly signerDigest: DigestAlgorithm;
  readonly key: KeyObject;
  readonly data: Buffer;
  readonly signature: Buffer;
  /** "signer 1 of the catalog", for messages. */
  readonly what: string;
}

/** Verifies a signature value; throws BadSignature when it does not verify. */
export function verifySignatureValue(check: SignatureCheck): void {
  const scheme = SCHEMES[check.algorithm.oid];
  if (scheme === undefined) {
    throw new CatalogError(
      CatalogErrorCode.UnsupportedAlgorithm,
      `${check.what} uses the signature algorithm ${check.algorithm.oid}; RSA, RSA-PSS and ECDSA are accepted`,
    );
  }
  const keyKind = check.key.asymmetricKeyType ?? 'unknown';
  if (!(scheme.keys as readonly string[]).includes(keyKind)) {
    throw new CatalogError(
      CatalogErrorCode.BadSignature,
      `${check.what}'s signature algorithm ${check.algorithm.oid} does not fit its certificate's ${keyKind} key`,
    );
  }
  const hash = scheme.hash === 'signer' ? check.signerDigest : scheme.hash;
  let valid: boolean;
  try {
    if (scheme.padding === 'pss') {
      const pss = readPssParameters(check.algorithm.parameters, check.what);
      valid = verify(
        pss.hash,
        check.data,
        { key: check.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pss.saltLength },
        check.signature,
      );
    } else {
      valid = verify(hash, check.data, check.key, check.signature);
    }
  } catch (error) {
    if (error instanceof CatalogError) throw error;
    // OpenSSL throws on signatures it cannot even decode (a bad ECDSA DER, a wrong RSA length).
    throw new CatalogError(
      CatalogErrorCode.BadSignature,
      `${check.what}'s signature does not verify (${(error as Error).message})`,
    );
  }
  if (!valid) {
    throw new CatalogError(
      CatalogErrorCode.BadSignature,
      `${check.what}'s signature does not verify with its certificate's key`,
    );
  }
}

/**
 * RSASSA-PSS-params (RFC 4055): hash [0] (default SHA-1), mask generation [1] (default MGF1 with
 * SHA-1), salt length [2] (default 20). Node's verify uses MGF1 with the signature's own hash, so
 * another mask hash is refused rather than verified wrongly.
 */
function readPssParameters(
  parameters: DerNode | undefined,
  what: string,
): { hash: DigestAlgorithm; saltLength: number } {
  let hash: DigestAlgorithm = 'sha1';
  let maskHash: DigestAlgorithm = 'sha1';
  let saltLength = 20;
  for (const field of parameters ? sequenceOf(parameters, `${what}'s RSA-PSS parameters`) : []) {
    if (field.isContext(0)) {
      hash = digestAlgorithmFromOid(
        algorithmIdentifier(explicit(field, 0, `${what}'s PSS hash`), `${what}'s PSS hash`).oid,
        `${what}'s PSS hash`,
      );
    } else if (field.isContext(1)) {
      const mask = algorithmIdentifier(explicit(field, 1, `${what}'s PSS mask`), `${what}'s PSS mask`);
      if (mask.oid !== MGF1) {
        throw new CatalogError(
          CatalogErrorCode.UnsupportedAlgorithm,
          `${what} uses the PSS mask function ${mask.oid}, not MGF1`,
        );
      }
      maskHash = digestAlgorithmFromOid(
        algorithmIdentifier(mask.parameters, `${what}'s MGF1 hash`).oid,
        `${what}'s MGF1 hash`,
      );
    } else if (field.isContext(2)) {
      saltLength = smallInteger(explicit(field, 2, `${what}'s PSS salt length`), `${what}'s PSS salt length`);
    }
  }
  if (maskHash !== hash) {
    throw new CatalogError(
      CatalogErrorCode.UnsupportedAlgorithm,
      `${what} uses RSA-PSS with ${digestLabel(hash)} but MGF1 with ${digestLabel(maskHash)}`,
    );
  }
  return { hash, saltLength };
}
