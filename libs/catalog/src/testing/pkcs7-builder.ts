import { createHash, createPrivateKey, sign, X509Certificate } from 'node:crypto';
import { explicit, integer, nullValue, objectIdentifier, octetString, sequence, set, tlv } from '../der-writer';

/**
 * Signs content the PKCS #7 v1.5 way Windows catalogs are written: the content stored as itself
 * under [0] (not wrapped in an OCTET STRING, which is all `openssl cms` can write), and the
 * message digest taken over its contents octets, without its tag and length. The signer is
 * named by subject key identifier, so no certificate parsing is needed here.
 */
export function signPkcs7Content(options: {
  readonly contentType: string;
  /** The content's DER (a SEQUENCE). */
  readonly content: Buffer;
  readonly certificatePem: string;
  readonly keyPem: string;
  readonly subjectKeyIdentifier: Buffer;
}): Buffer {
  const certificate = new X509Certificate(options.certificatePem);
  const contentOctets = contentsOctets(options.content);
  const sha256 = sequence(objectIdentifier('2.16.840.1.101.3.4.2.1'), nullValue());
  const attributes = [
    sequence(objectIdentifier('1.2.840.113549.1.9.3'), set(objectIdentifier(options.contentType))),
    sequence(
      objectIdentifier('1.2.840.113549.1.9.4'),
      set(octetString(createHash('sha256').update(contentOctets).digest())),
    ),
  ];
  const signedAttributes = set(...attributes);
  const signature = sign('sha256', signedAttributes, createPrivateKey(options.keyPem));
  const keyKind = certificate.publicKey.asymmetricKeyType;
  const signatureAlgorithm =
    keyKind === 'ec'
      ? sequence(objectIdentifier('1.2.840.10045.4.3.2'))
      : sequence(objectIdentifier('1.2.840.113549.1.1.1'), nullValue());
  const signerInfo = sequence(
    integer(3),
    tlv(0x80, options.subjectKeyIdentifier),
    sha256,
    Buffer.concat([Buffer.from([0xa0]), signedAttributes.subarray(1)]),
    signatureAlgorithm,
    octetString(signature),
  );
  const signedData = sequence(
    integer(3),
    set(sha256),
    sequence(objectIdentifier(options.contentType), explicit(0, options.content)),
    tlv(0xa0, certificate.raw),
    set(signerInfo),
  );
  return sequence(objectIdentifier('1.2.840.113549.1.7.2'), explicit(0, signedData));
}

/** The value bytes of a DER element, without its tag and length. */
function contentsOctets(element: Buffer): Buffer {
  const lengthByte = element[1];
  const headerLength = lengthByte < 0x80 ? 2 : 2 + (lengthByte & 0x7f);
  return element.subarray(headerLength);
}
