import { KeyObject, X509Certificate } from 'node:crypto';
import { malformed } from './catalog-error';
import {
  bitString,
  booleanValue,
  DerNode,
  explicit,
  integerBytes,
  objectIdentifier,
  octetString,
  readDer,
  sequenceOf,
  smallInteger,
  timeValue,
  UniversalTag,
} from './der-reader';
import { Oid } from './object-identifiers';

/** keyUsage bits (RFC 5280 4.2.1.3), numbered from the first bit of the BIT STRING. */
export enum KeyUsageBit {
  DigitalSignature = 0,
  NonRepudiation = 1,
  KeyCertSign = 5,
}

/**
 * Extensions whose meaning is understood here, either checked (basic constraints, key usage) or
 * without effect on whether a signature is acceptable. A certificate with any other extension
 * marked critical is refused, as RFC 5280 4.2 requires of a verifier that does not process it
 * (name constraints and policy constraints among them: they are not enforced here).
 */
const UNDERSTOOD_EXTENSIONS = new Set<string>([
  Oid.subjectKeyIdentifier,
  Oid.keyUsage,
  Oid.subjectAltName,
  Oid.issuerAltName,
  Oid.basicConstraints,
  Oid.certificatePolicies,
  Oid.authorityKeyIdentifier,
  Oid.extendedKeyUsage,
]);

export interface BasicConstraints {
  readonly ca: boolean;
  readonly pathLength?: number;
}

/**
 * An X.509 certificate: Node's X509Certificate (OpenSSL) for public keys and certificate signature
 * checks, plus the fields read here from the DER because Node 20 does not expose them as values
 * (validity as dates, raw names and serial for exact matching, key usage bits, path length).
 */
export class Certificate {
  private constructor(
    readonly x509: X509Certificate,
    readonly der: Buffer,
    /** The DER of the issuer and subject Names, compared byte for byte when linking a chain. */
    readonly issuerDer: Buffer,
    readonly subjectDer: Buffer,
    /** The serial number's INTEGER content bytes. */
    readonly serialDer: Buffer,
    readonly notBefore: Date,
    readonly notAfter: Date,
    readonly basicConstraints: BasicConstraints | undefined,
    /** The keyUsage bits, when the extension is present. */
    private readonly keyUsageBits: Buffer | undefined,
    readonly subjectKeyIdentifier: Buffer | undefined,
    /** OIDs of critical extensions not understood here. */
    readonly unknownCriticalExtensions: readonly string[],
  ) {}

  /** Parses a DER certificate; `what` names it in error messages. */
  static fromDer(der: Buffer, what: string): Certificate {
    const root = readDer(der, what);
    const [tbs] = sequenceOf(root, what);
    const fields = sequenceOf(tbs, `${what}'s TBSCertificate`);
    let index = 0;
    if (fields[index]?.isContext(0)) index++; // [0] version, v3 when extensions are present
    const serialDer = integerBytes(fields[index++], `${what}'s serial number`);
    index++; // signature AlgorithmIdentifier, checked by OpenSSL when the certificate is verified
    const issuer = fields[index++];
    const validity = sequenceOf(fields[index++], `${what}'s validity`);
    const subject = fields[index++];
    index++; // subjectPublicKeyInfo, read by OpenSSL
    if (issuer === undefined || subject === undefined) throw malformed(`${what} is missing a name`);
    const notBefore = timeValue(validity[0], `${what}'s notBefore`);
    const notAfter = timeValue(validity[1], `${what}'s notAfter`);

    let basicConstraints: BasicConstraints | undefined;
    let keyUsageBits: Buffer | undefined;
    let subjectKeyIdentifier: Buffer | undefined;
    const unknownCritical: string[] = [];
    // After the public key come the optional unique identifiers [1] and [2], then extensions [3].
    const extensionsNode = fields.slice(index).find((node) => node.isContext(3));
    const extensions = extensionsNode
      ? sequenceOf(explicit(extensionsNode, 3, `${what}'s extensions`), `${what}'s extensions`)
      : [];
    const seen = new Set<string>();
    for (const extension of extensions) {
      const parts = sequenceOf(extension, `an extension of ${what}`);
      const oid = objectIdentifier(parts[0], `an extension of ${what}`);
      // RFC 5280 4.2: "A certificate MUST NOT include more than one instance of a particular extension."
      if (seen.has(oid)) throw malformed(`${what} has the extension ${oid} twice`);
      seen.add(oid);
      const critical = parts.length === 3 && booleanValue(parts[1], `the critical flag of extension ${oid} of ${what}`);
      const value = octetString(parts[parts.length - 1], `the value of extension ${oid} of ${what}`);
      const extensionWhat = `extension ${oid} of ${what}`;
      switch (oid) {
        case Oid.basicConstraints:
          basicConstraints = readBasicConstraints(readDer(value, extensionWhat), extensionWhat);
          break;
        case Oid.keyUsage:
          keyUsageBits = bitString(readDer(value, extensionWhat), extensionWhat).bytes;
          break;
        case Oid.subjectKeyIdentifier:
          subjectKeyIdentifier = octetString(readDer(value, extensionWhat), extensionWhat);
          break;
        default:
          if (critical && !UNDERSTOOD_EXTENSIONS.has(oid)) unknownCritical.push(oid);
      }
    }

    let x509: X509Certificate;
    try {
      x509 = new X509Certificate(der);
    } catch (error) {
      throw malformed(`${what} is not a certificate OpenSSL can read (${(error as Error).message})`);
    }
    return new Certificate(
      x509,
      root.bytes,
      issuer.bytes,
      subject.bytes,
      serialDer,
      notBefore,
      notAfter,
      basicConstraints,
      keyUsageBits,
      subjectKeyIdentifier,
      unknownCritical,
    );
  }

  static fromX509(x509: X509Certificate, what: string): Certificate {
    return Certificate.fromDer(x509.raw, what);
  }

  get publicKey(): KeyObject {
    return this.x509.publicKey;
  }

  /** The subject as one line ("CN=Signer, O=Example"), for messages. */
  get subject(): string {
    return oneLine(this.x509.subject);
  }

  get issuer(): string {
    return oneLine(this.x509.issuer);
  }

  /** The serial number in upper-case hex, as OpenSSL prints it. */
  get serialNumber(): string {
    return this.x509.serialNumber;
  }

  get fingerprint256(): string {
    return this.x509.fingerprint256;
  }

  /** Whether the keyUsage extension is absent (no restriction) or has the bit set. */
  allowsKeyUsage(bit: KeyUsageBit): boolean {
    if (this.keyUsageBits === undefined) return true;
    const byte = this.keyUsageBits[bit >> 3] ?? 0;
    return (byte & (0x80 >> (bit & 7))) !== 0;
  }

  equals(other: Certificate): boolean {
    return this.der.equals(other.der);
  }

  /** "CN=Signer (serial 1A2B)", for messages. */
  describe(): string {
    return `"${this.subject}" (serial ${this.serialNumber})`;
  }
}

function readBasicConstraints(node: DerNode, what: string): BasicConstraints {
  const parts = sequenceOf(node, what);
  let index = 0;
  let ca = false;
  if (parts[index]?.isUniversal(UniversalTag.Boolean)) ca = booleanValue(parts[index++], `${what}'s cA`);
  const pathLength = parts[index] ? smallInteger(parts[index], `${what}'s pathLenConstraint`) : undefined;
  return pathLength === undefined ? { ca } : { ca, pathLength };
}

function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}
