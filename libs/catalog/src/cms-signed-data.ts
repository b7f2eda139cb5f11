import { malformed } from './catalog-error';
import { Certificate } from './certificate';
import { DigestAlgorithm, readDigestAlgorithm } from './digest-algorithm';
import {
  algorithmIdentifier,
  DerNode,
  explicit,
  integerBytes,
  objectIdentifier,
  octetString,
  readDer,
  sequenceOf,
  setOf,
  UniversalTag,
} from './der-reader';
import { Oid } from './object-identifiers';

/** How a SignerInfo names its certificate. */
export type SignerIdentifier =
  | { readonly kind: 'issuerAndSerialNumber'; readonly issuerDer: Buffer; readonly serialDer: Buffer }
  | { readonly kind: 'subjectKeyIdentifier'; readonly keyIdentifier: Buffer };

export interface SignedAttributes {
  /**
   * What the signature covers: the attributes' DER with the SET OF tag that RFC 5652 5.4 says to
   * sign, not the [0] IMPLICIT tag they are stored under.
   */
  readonly signedBytes: Buffer;
  readonly contentType?: string;
  readonly messageDigest?: Buffer;
}

export interface SignerInfo {
  /** 1-based, for messages ("signer 1"). */
  readonly number: number;
  readonly identifier: SignerIdentifier;
  readonly digestAlgorithm: DigestAlgorithm;
  readonly signedAttributes?: SignedAttributes;
  readonly signatureAlgorithm: { readonly oid: string; readonly parameters?: DerNode };
  readonly signature: Buffer;
}

export interface EncapsulatedContent {
  /**
   * The bytes a signer digests: the value of the OCTET STRING (CMS), or for PKCS #7 v1.5 content
   * stored as itself (Authenticode, Windows catalogs) the element's contents octets without its tag
   * and length, as PKCS #7 9.3 and the Authenticode specification say.
   */
  readonly digestedBytes: Buffer;
  /** The content as a DER element, to read its structure. */
  element(what: string): DerNode;
}

export interface SignedData {
  readonly contentType: string;
  /** Absent for a detached signature. */
  readonly content?: EncapsulatedContent;
  readonly certificates: readonly Certificate[];
  readonly signers: readonly SignerInfo[];
}

/**
 * Reads a DER ContentInfo holding a SignedData (RFC 5652, and PKCS #7 v1.5 as Authenticode and
 * Windows catalogs use it). Only the structure is read here; nothing is verified.
 */
export function readSignedData(bytes: Buffer, what: string, allowZeroPadding = false): SignedData {
  const contentInfo = sequenceOf(readDer(bytes, what, allowZeroPadding), what);
  const contentInfoType = objectIdentifier(contentInfo[0], `${what}'s content type`);
  if (contentInfoType !== Oid.signedData) {
    throw malformed(`${what} is a CMS ${contentInfoType}, not a SignedData (${Oid.signedData})`);
  }
  const fields = sequenceOf(explicit(contentInfo[1], 0, `${what}'s SignedData`), `${what}'s SignedData`);
  // version, digestAlgorithms (each signer names its own), encapContentInfo, ...
  let index = 2;
  const encapsulated = sequenceOf(fields[index++], `${what}'s encapsulated content`);
  const contentType = objectIdentifier(encapsulated[0], `${what}'s encapsulated content type`);
  const content = encapsulated[1] ? readEncapsulatedContent(encapsulated[1], what) : undefined;

  let certificates: Certificate[] = [];
  if (fields[index]?.isContext(0)) {
    const choices = fields[index++].children(`${what}'s certificates`);
    // Attribute certificates and the obsolete extended certificates are tagged; only plain ones count.
    certificates = choices
      .filter((choice) => choice.isUniversal(UniversalTag.Sequence))
      .map((choice, position) => Certificate.fromDer(choice.bytes, `certificate ${position + 1} of ${what}`));
  }
  if (fields[index]?.isContext(1)) index++; // CRLs: revocation is not checked (see README)
  const signers = setOf(fields[index++], `${what}'s signer infos`).map((node, position) =>
    readSignerInfo(node, position + 1, what),
  );
  if (index !== fields.length) throw malformed(`${what}'s SignedData has unexpected fields after its signer infos`);
  return { contentType, content, certificates, signers };
}

function readEncapsulatedContent(node: DerNode, what: string): EncapsulatedContent {
  const inner = explicit(node, 0, `${what}'s encapsulated content`);
  if (inner.isUniversal(UniversalTag.OctetString)) {
    const octets = octetString(inner, `${what}'s encapsulated content`);
    return { digestedBytes: octets, element: (elementWhat) => readDer(octets, elementWhat) };
  }
  return { digestedBytes: inner.content, element: () => inner };
}

function readSignerInfo(node: DerNode, number: number, what: string): SignerInfo {
  const signerWhat = `signer ${number} of ${what}`;
  const fields = sequenceOf(node, signerWhat);
  let index = 1; // version
  const identifierNode = fields[index++];
  let identifier: SignerIdentifier;
  if (identifierNode?.isUniversal(UniversalTag.Sequence)) {
    const [issuer, serial] = sequenceOf(identifierNode, `${signerWhat}'s issuer and serial number`);
    if (issuer === undefined) throw malformed(`${signerWhat}'s issuer is missing`);
    identifier = {
      kind: 'issuerAndSerialNumber',
      issuerDer: issuer.bytes,
      serialDer: integerBytes(serial, `${signerWhat}'s serial number`),
    };
  } else if (identifierNode?.isContext(0) && !identifierNode.constructed) {
    identifier = { kind: 'subjectKeyIdentifier', keyIdentifier: identifierNode.content };
  } else {
    throw malformed(`${signerWhat} does not identify its certificate`);
  }
  const digestAlgorithm = readDigestAlgorithm(fields[index++], `${signerWhat}'s digest algorithm`);
  let signedAttributes: SignedAttributes | undefined;
  if (fields[index]?.isContext(0)) signedAttributes = readSignedAttributes(fields[index++], signerWhat);
  const signatureAlgorithm = algorithmIdentifier(fields[index++], `${signerWhat}'s signature algorithm`);
  const signature = octetString(fields[index++], `${signerWhat}'s signature`);
  if (fields[index]?.isContext(1)) index++; // unsigned attributes: timestamps, nested signatures
  if (index !== fields.length) throw malformed(`${signerWhat} has unexpected fields`);
  return { number, identifier, digestAlgorithm, signedAttributes, signatureAlgorithm, signature };
}

function readSignedAttributes(node: DerNode, signerWhat: string): SignedAttributes {
  const what = `${signerWhat}'s signed attributes`;
  if (!node.constructed) throw malformed(`${what} are not a SET`);
  let contentType: string | undefined;
  let messageDigest: Buffer | undefined;
  const seen = new Set<string>();
  for (const attribute of node.children(what)) {
    const [typeNode, valuesNode] = sequenceOf(attribute, `an attribute of ${what}`);
    const type = objectIdentifier(typeNode, `an attribute type of ${what}`);
    const values = setOf(valuesNode, `the values of attribute ${type} of ${what}`);
    if (type !== Oid.contentTypeAttribute && type !== Oid.messageDigestAttribute) continue;
    // RFC 5652 11.1 and 11.2: each at most once, with exactly one value; a second one could let a
    // verifier and a signer disagree on which digest was signed.
    if (seen.has(type) || values.length !== 1) {
      throw malformed(`${what} must hold attribute ${type} once with one value`);
    }
    seen.add(type);
    if (type === Oid.contentTypeAttribute) {
      contentType = objectIdentifier(values[0], `the content-type attribute of ${signerWhat}`);
    } else {
      messageDigest = octetString(values[0], `the message-digest attribute of ${signerWhat}`);
    }
  }
  // [0] IMPLICIT is one byte (0xA0) in DER; the signed form has the SET OF tag (0x31) instead.
  const signedBytes = Buffer.from(node.bytes);
  signedBytes[0] = 0x31;
  return { signedBytes, contentType, messageDigest };
}
