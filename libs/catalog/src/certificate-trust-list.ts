import { malformed } from './catalog-error';
import { DIGEST_LENGTHS, DigestAlgorithm, digestAlgorithmFromOid } from './digest-algorithm';
import { DerNode, objectIdentifier, octetString, sequenceOf, setOf, UniversalTag } from './der-reader';
import { ImageDigests } from './image-digests';
import { Oid } from './object-identifiers';
import { readSpcIndirectData } from './spc-indirect-data';

export interface CatalogMember {
  /** 1-based position, for messages. */
  readonly number: number;
  /** subjectIdentifier: in a catalog, the member's tag (for a hashed file, its hash in hex, UTF-16LE). */
  readonly identifier: Buffer;
  /** The member's SPC_INDIRECT_DATA digest, when it has one in an algorithm accepted here. */
  readonly indirectDigest?: { readonly algorithm: DigestAlgorithm; readonly digest: Buffer };
  /** Whether it has an SPC_INDIRECT_DATA attribute at all (possibly in an algorithm not accepted). */
  readonly hasIndirectData: boolean;
}

export interface CertificateTrustList {
  readonly subjectUsage: readonly string[];
  readonly members: readonly CatalogMember[];
}

/**
 * Reads a Microsoft certificate trust list (the signed content of a `.cat`):
 *
 *   CertificateTrustList ::= SEQUENCE {
 *     version INTEGER DEFAULT v1, subjectUsage SEQUENCE OF OBJECT IDENTIFIER,
 *     listIdentifier OCTET STRING OPTIONAL, sequenceNumber INTEGER OPTIONAL,
 *     ctlThisUpdate Time, ctlNextUpdate Time OPTIONAL, subjectAlgorithm AlgorithmIdentifier,
 *     trustedSubjects SEQUENCE OF TrustedSubject OPTIONAL, ctlExtensions [0] EXPLICIT Extensions OPTIONAL }
 *   TrustedSubject ::= SEQUENCE { subjectIdentifier OCTET STRING, subjectAttributes SET OF Attribute OPTIONAL }
 */
export function readCertificateTrustList(node: DerNode, what: string): CertificateTrustList {
  const fields = sequenceOf(node, what);
  let index = 0;
  if (fields[index]?.isUniversal(UniversalTag.Integer)) index++;
  const subjectUsage = sequenceOf(fields[index++], `${what}'s subject usage`).map((usage) =>
    objectIdentifier(usage, `${what}'s subject usage`),
  );
  if (fields[index]?.isUniversal(UniversalTag.OctetString)) index++;
  if (fields[index]?.isUniversal(UniversalTag.Integer)) index++;
  if (!isTime(fields[index])) throw malformed(`${what} lacks its update time`);
  index++;
  if (isTime(fields[index])) index++;
  sequenceOf(fields[index++], `${what}'s subject algorithm`);
  const subjects = fields[index]?.isUniversal(UniversalTag.Sequence)
    ? sequenceOf(fields[index], `${what}'s members`)
    : [];
  return { subjectUsage, members: subjects.map((subject, position) => readMember(subject, position + 1, what)) };
}

function isTime(node: DerNode | undefined): boolean {
  return (
    node !== undefined && (node.isUniversal(UniversalTag.UtcTime) || node.isUniversal(UniversalTag.GeneralizedTime))
  );
}

function readMember(node: DerNode, number: number, what: string): CatalogMember {
  const memberWhat = `member ${number} of ${what}`;
  const [identifierNode, attributesNode] = sequenceOf(node, memberWhat);
  const identifier = octetString(identifierNode, `${memberWhat}'s identifier`);
  let indirectDigest: CatalogMember['indirectDigest'];
  let hasIndirectData = false;
  for (const attribute of attributesNode ? setOf(attributesNode, `${memberWhat}'s attributes`) : []) {
    const [typeNode, valuesNode] = sequenceOf(attribute, `an attribute of ${memberWhat}`);
    if (objectIdentifier(typeNode, `an attribute of ${memberWhat}`) !== Oid.spcIndirectData) continue;
    const values = setOf(valuesNode, `${memberWhat}'s indirect data`);
    if (hasIndirectData || values.length !== 1) throw malformed(`${memberWhat} must have one indirect data value`);
    hasIndirectData = true;
    const indirect = readSpcIndirectData(values[0], `${memberWhat}'s indirect data`);
    const algorithm = acceptedDigest(indirect.digestAlgorithmOid);
    // A member hashed with an algorithm not accepted here (MD5) just cannot vouch for the image.
    if (algorithm !== undefined && indirect.digest.length === DIGEST_LENGTHS[algorithm]) {
      indirectDigest = { algorithm, digest: indirect.digest };
    }
  }
  return { number, identifier, indirectDigest, hasIndirectData };
}

function acceptedDigest(oid: string): DigestAlgorithm | undefined {
  try {
    return digestAlgorithmFromOid(oid, 'a member digest');
  } catch {
    return undefined;
  }
}

/**
 * The member vouching for an image with these digests, and by which algorithm.
 *
 * A member's SPC_INDIRECT_DATA digest is what Windows compares with the file, so when a member
 * has one, only it counts. A member without one is matched by its tag, which makecat sets to the
 * file's SHA-1 or SHA-256 in hex (stored as UTF-16LE, sometimes NUL-terminated) or which may be
 * the raw hash; the hash's length says which algorithm.
 */
export function findImageMember(
  list: CertificateTrustList,
  digests: ImageDigests,
): { member: CatalogMember; algorithm: DigestAlgorithm } | undefined {
  for (const member of list.members) {
    if (member.hasIndirectData) {
      const indirect = member.indirectDigest;
      if (indirect !== undefined && digests[indirect.algorithm]?.equals(indirect.digest)) {
        return { member, algorithm: indirect.algorithm };
      }
      continue;
    }
    const tagged = hashFromTag(member.identifier);
    for (const algorithm of ['sha1', 'sha256'] as const) {
      if (tagged?.length === DIGEST_LENGTHS[algorithm] && digests[algorithm]?.equals(tagged))
        return { member, algorithm };
    }
  }
  return undefined;
}

function hashFromTag(identifier: Buffer): Buffer | undefined {
  if (identifier.length === DIGEST_LENGTHS.sha1 || identifier.length === DIGEST_LENGTHS.sha256) return identifier;
  let text: string;
  if (identifier.length % 2 === 0 && identifier.length >= 4 && identifier[1] === 0) {
    text = identifier.toString('utf16le');
  } else {
    text = identifier.toString('latin1');
  }
  text = text.replace(/\0+$/, '');
  return /^(?:[0-9A-Fa-f]{2})+$/.test(text) ? Buffer.from(text, 'hex') : undefined;
}
