import { CatalogError, CatalogErrorCode } from './catalog-error';
import { algorithmIdentifier, DerNode } from './der-reader';

/** Digest algorithms accepted, by their Node.js names. */
export type DigestAlgorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['sha1', 'sha256', 'sha384', 'sha512'];

const DIGEST_OIDS: Record<string, DigestAlgorithm> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** Refused by name, so the message says which weak algorithm it was rather than an OID. */
const REFUSED_DIGEST_OIDS: Record<string, string> = {
  '1.2.840.113549.2.5': 'MD5',
  '1.2.840.113549.2.2': 'MD2',
};

export const DIGEST_LENGTHS: Record<DigestAlgorithm, number> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

export function digestLabel(algorithm: DigestAlgorithm): string {
  return algorithm === 'sha1' ? 'SHA-1' : `SHA-${algorithm.slice(3)}`;
}

export function digestAlgorithmFromOid(oid: string, what: string): DigestAlgorithm {
  const algorithm = DIGEST_OIDS[oid];
  if (algorithm !== undefined) return algorithm;
  const refused = REFUSED_DIGEST_OIDS[oid];
  throw new CatalogError(
    CatalogErrorCode.UnsupportedAlgorithm,
    `${what} is ${refused ?? `the unknown algorithm ${oid}`}; SHA-1, SHA-256, SHA-384 and SHA-512 are accepted`,
  );
}

/** Reads a digest AlgorithmIdentifier (parameters, when present, are NULL or ignored as RFC 5754 allows). */
export function readDigestAlgorithm(node: DerNode | undefined, what: string): DigestAlgorithm {
  return digestAlgorithmFromOid(algorithmIdentifier(node, what).oid, what);
}
