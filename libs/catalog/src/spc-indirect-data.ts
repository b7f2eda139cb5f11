import { malformed } from './catalog-error';
import { algorithmIdentifier, DerNode, objectIdentifier, octetString, sequenceOf } from './der-reader';

/**
 * SpcIndirectDataContent (Authenticode): what a signature vouches for, as a type (a cabinet, a
 * PE image, a flat file in a catalog…) and a DigestInfo. It is the signed content of an
 * Authenticode signature, and the value of a catalog member's SPC_INDIRECT_DATA attribute.
 */
export interface SpcIndirectData {
  readonly dataType: string;
  /** The digest algorithm's OID, resolved by the caller so each use decides how to treat an unknown one. */
  readonly digestAlgorithmOid: string;
  readonly digest: Buffer;
}

export function readSpcIndirectData(node: DerNode, what: string): SpcIndirectData {
  const [data, digestInfo, ...rest] = sequenceOf(node, what);
  if (rest.length > 0) throw malformed(`${what} has unexpected fields`);
  const [dataType] = sequenceOf(data, `${what}'s data`);
  const [algorithm, digest] = sequenceOf(digestInfo, `${what}'s digest`);
  return {
    dataType: objectIdentifier(dataType, `${what}'s data type`),
    digestAlgorithmOid: algorithmIdentifier(algorithm, `${what}'s digest algorithm`).oid,
    digest: octetString(digest, `${what}'s digest`),
  };
}
