import { createPrivateKey, type KeyObject, sign, X509Certificate } from 'node:crypto';
import { Certificate } from './certificate';
import { explicit, integer, integerFromBytes, nullValue, objectIdentifier, octetString, sequence, set, setOf, tlv, utcTime } from './der-writer';
import { Oid } from './object-identifiers';

const SHA256 = '2.16.840.1.101.3.4.2.1';
const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const SIGNING_TIME = '1.2.840.113549.1.9.5';

export interface DetachedSignatureOptions {
  /** The SHA-256 of the image being signed. */
  readonly imageSha256: Buffer;
  /** The signer's certificate, PEM; further PEM certificates after it (its chain) are included too. */
  readonly certificatePem: string;
  /** The signer's private key (RSA or EC), PEM, unencrypted or with `passphrase`. */
  readonly keyPem: string;
  readonly passphrase?: string;
  readonly signingTime?: Date;
}

/**
 * A detached CMS SignedData over an image (RFC 5652), the second form of a security catalog in
 * update-package.md, as `openssl cms -sign -binary -outform DER` makes it: no encapsulated content
 * (`id-data`), SHA-256, signed attributes content type, signing time and message digest, the
 * signer named by issuer and serial number, its certificate (and chain) included. Node's crypto
 * has no CMS, so the DER is written here (der-writer.ts); `openssl cms -verify` and the pool's
 * verifier (update-catalog-verifier.ts) both check it.
 */
export function signDetached(options: DetachedSignatureOptions): Buffer {
  const pems = options.certificatePem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (pems.length === 0) throw new Error('the certificate file holds no PEM certificate');
  const chain = pems.map((pem) => new X509Certificate(pem));
  const signer = chain[0];
  const key = createPrivateKey({ key: options.keyPem, passphrase: options.passphrase });
  if (!signer.checkPrivateKey(key)) throw new Error("the key is not the certificate's key");
  const { issuerDer, serialDer } = Certificate.fromDer(signer.raw, 'the signer certificate');
  const sha256 = sequence(objectIdentifier(SHA256));
  const signedAttributes = setOf(
    sequence(objectIdentifier(Oid.contentTypeAttribute), set(objectIdentifier(Oid.data))),
    sequence(objectIdentifier(SIGNING_TIME), set(utcTime(options.signingTime ?? new Date()))),
    sequence(objectIdentifier(Oid.messageDigestAttribute), set(octetString(options.imageSha256))),
  );
  const signerInfo = sequence(
    integer(1),
    sequence(issuerDer, integerFromBytes(serialDer)),
    sha256,
    // The attributes are signed as a SET, and stored as [0] IMPLICIT.
    Buffer.concat([Buffer.from([0xa0]), signedAttributes.subarray(1)]),
    signatureAlgorithm(key),
    octetString(sign('sha256', signedAttributes, key)),
  );
  const signedData = sequence(
    integer(1),
    set(sha256),
    sequence(objectIdentifier(Oid.data)),
    tlv(0xa0, ...chain.map((certificate) => certificate.raw)),
    set(signerInfo),
  );
  return sequence(objectIdentifier(Oid.signedData), explicit(0, signedData));
}

function signatureAlgorithm(key: KeyObject): Buffer {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return sequence(objectIdentifier(RSA_ENCRYPTION), nullValue());
    case 'ec':
      return sequence(objectIdentifier(ECDSA_WITH_SHA256));
    default:
      throw new Error(`a ${key.asymmetricKeyType ?? 'secret'} key cannot sign a catalog: use an RSA or EC key`);
  }
}
