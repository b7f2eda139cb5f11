import { malformed } from './catalog-error';

/**
 * A minimal reader of DER (ASN.1 Distinguished Encoding Rules), enough for CMS, X.509, Windows
 * certificate trust lists and Authenticode. It reads what the structure code asks for and never
 * builds a generic tree, so hostile input costs at most one pass over the bytes it is asked about.
 *
 * Only definite lengths are read. Indefinite lengths are BER, not DER; signtool, makecat,
 * osslsigncode and `openssl cms -outform DER` all write DER, and signed attributes must be DER for
 * their signature to mean anything, so accepting BER would only widen what a forger can play with.
 */

export enum TagClass {
  Universal = 0,
  Application = 1,
  ContextSpecific = 2,
  Private = 3,
}

/** Universal tag numbers used here. */
export enum UniversalTag {
  Boolean = 1,
  Integer = 2,
  BitString = 3,
  OctetString = 4,
  Null = 5,
  ObjectIdentifier = 6,
  Utf8String = 12,
  Sequence = 16,
  Set = 17,
  PrintableString = 19,
  Ia5String = 22,
  UtcTime = 23,
  GeneralizedTime = 24,
  BmpString = 30,
}

const TAG_NAMES: Record<number, string> = {
  [UniversalTag.Boolean]: 'BOOLEAN',
  [UniversalTag.Integer]: 'INTEGER',
  [UniversalTag.BitString]: 'BIT STRING',
  [UniversalTag.OctetString]: 'OCTET STRING',
  [UniversalTag.Null]: 'NULL',
  [UniversalTag.ObjectIdentifier]: 'OBJECT IDENTIFIER',
  [UniversalTag.Utf8String]: 'UTF8String',
  [UniversalTag.Sequence]: 'SEQUENCE',
  [UniversalTag.Set]: 'SET',
  [UniversalTag.UtcTime]: 'UTCTime',
  [UniversalTag.GeneralizedTime]: 'GeneralizedTime',
};

/** Lengths above this are refused: no structure read here is near it, and it keeps offsets exact. */
const MAX_LENGTH = 0x7fffffff;

/** One DER element (tag, length, value) inside a buffer. */
export class DerNode {
  constructor(
    private readonly buffer: Buffer,
    /** Offset of the element's first (tag) byte in the buffer. */
    readonly start: number,
    readonly headerLength: number,
    readonly length: number,
    readonly tagClass: TagClass,
    readonly constructed: boolean,
    readonly tagNumber: number,
  ) {}

  get end(): number {
    return this.start + this.headerLength + this.length;
  }

  /** The whole element, tag and length included. */
  get bytes(): Buffer {
    return this.buffer.subarray(this.start, this.end);
  }

  /** The value bytes ("contents octets"), without tag and length. */
  get content(): Buffer {
    return this.buffer.subarray(this.start + this.headerLength, this.end);
  }

  is(tagClass: TagClass, tagNumber: number): boolean {
    return this.tagClass === tagClass && this.tagNumber === tagNumber;
  }

  isUniversal(tag: UniversalTag): boolean {
    return this.is(TagClass.Universal, tag);
  }

  isContext(tagNumber: number): boolean {
    return this.is(TagClass.ContextSpecific, tagNumber);
  }

  /** "SEQUENCE", "[0]", … for messages. */
  get tagName(): string {
    switch (this.tagClass) {
      case TagClass.Universal:
        return TAG_NAMES[this.tagNumber] ?? `universal tag ${this.tagNumber}`;
      case TagClass.ContextSpecific:
        return `[${this.tagNumber}]`;
      case TagClass.Application:
        return `[APPLICATION ${this.tagNumber}]`;
      default:
        return `[PRIVATE ${this.tagNumber}]`;
    }
  }

  /** The elements inside a constructed element, which must fill its value exactly. */
  children(what: string): DerNode[] {
    if (!this.constructed) {
      throw malformed(`${what} is not a constructed element (found ${this.tagName} at byte ${this.start})`);
    }
    const nodes: DerNode[] = [];
    let at = this.start + this.headerLength;
    while (at < this.end) {
      const node = readElement(this.buffer, at, this.end, what);
      nodes.push(node);
      at = node.end;
    }
    return nodes;
  }
}

/**
 * Reads the one element that `bytes` holds. Trailing bytes are refused, except zero bytes when
 * `allowZeroPadding` is set: Authenticode pads the signature in a cabinet to a multiple of 8 bytes.
 */
export function readDer(bytes: Buffer, what: string, allowZeroPadding = false): DerNode {
  if (bytes.length === 0) throw malformed(`${what} is empty`);
  const node = readElement(bytes, 0, bytes.length, what);
  for (let at = node.end; at < bytes.length; at++) {
    if (!allowZeroPadding || bytes[at] !== 0) {
      throw malformed(`${what} has ${bytes.length - node.end} unexpected bytes after its end (byte ${node.end})`);
    }
  }
  return node;
}

function readElement(buffer: Buffer, start: number, limit: number, what: string): DerNode {
  let at = start;
  const truncated = (): Error =>
    malformed(`${what} is truncated (an element at byte ${start} runs past byte ${limit})`);
  if (at >= limit) throw truncated();
  const first = buffer[at++];
  const tagClass = (first >> 6) as TagClass;
  const constructed = (first & 0x20) !== 0;
  let tagNumber = first & 0x1f;
  if (tagNumber === 0x1f) {
    // High tag numbers: base-128 digits. Nothing used here needs more than two.
    tagNumber = 0;
    for (let digits = 0; ; digits++) {
      if (at >= limit) throw truncated();
      if (digits === 3) throw malformed(`${what} has a tag number too large at byte ${start}`);
      const byte = buffer[at++];
      tagNumber = tagNumber * 128 + (byte & 0x7f);
      if ((byte & 0x80) === 0) break;
    }
  }
  if (at >= limit) throw truncated();
  const lengthByte = buffer[at++];
  let length: number;
  if (lengthByte < 0x80) {
    length = lengthByte;
  } else if (lengthByte === 0x80) {
    throw malformed(`${what} uses an indefinite length (BER) at byte ${start}; only DER is accepted`);
  } else {
    const count = lengthByte & 0x7f;
    if (count > 4) throw malformed(`${what} declares a ${count}-byte length at byte ${start}`);
    if (at + count > limit) throw truncated();
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buffer[at++];
    if (length > MAX_LENGTH) throw malformed(`${what} declares a length of ${length} bytes at byte ${start}`);
  }
  const headerLength = at - start;
  if (at + length > limit) throw truncated();
  return new DerNode(buffer, start, headerLength, length, tagClass, constructed, tagNumber);
}

/** Asserts the node is the universal type `tag` and returns it. */
export function expectUniversal(node: DerNode | undefined, tag: UniversalTag, what: string): DerNode {
  if (node === undefined) throw malformed(`${what} is missing`);
  if (!node.isUniversal(tag)) {
    throw malformed(
      `${what} should be a ${TAG_NAMES[tag] ?? `universal tag ${tag}`}, found ${node.tagName} at byte ${node.start}`,
    );
  }
  const mustBeConstructed = tag === UniversalTag.Sequence || tag === UniversalTag.Set;
  if (node.constructed !== mustBeConstructed) {
    throw malformed(
      `${what} at byte ${node.start} is ${node.constructed ? 'constructed' : 'primitive'}, which DER forbids`,
    );
  }
  return node;
}

export function sequenceOf(node: DerNode | undefined, what: string): DerNode[] {
  return expectUniversal(node, UniversalTag.Sequence, what).children(what);
}

export function setOf(node: DerNode | undefined, what: string): DerNode[] {
  return expectUniversal(node, UniversalTag.Set, what).children(what);
}

/** The single element inside an EXPLICIT context tag [n]. */
export function explicit(node: DerNode | undefined, tagNumber: number, what: string): DerNode {
  if (node === undefined || !node.isContext(tagNumber) || !node.constructed) {
    throw malformed(`${what} should be an explicit [${tagNumber}], found ${node ? node.tagName : 'nothing'}`);
  }
  const inner = node.children(what);
  if (inner.length !== 1) throw malformed(`${what} ([${tagNumber}]) should hold one element, holds ${inner.length}`);
  return inner[0];
}

/** The dotted form of an OBJECT IDENTIFIER. */
export function objectIdentifier(node: DerNode | undefined, what: string): string {
  const content = expectUniversal(node, UniversalTag.ObjectIdentifier, what).content;
  if (content.length === 0 || (content[content.length - 1] & 0x80) !== 0) {
    throw malformed(`${what} is not a valid OBJECT IDENTIFIER`);
  }
  const arcs: number[] = [];
  let value = 0;
  for (let i = 0; i < content.length; i++) {
    // A leading 0x80 would be a non-minimal encoding, which lets two byte strings name one OID.
    if (value === 0 && content[i] === 0x80) throw malformed(`${what} is not a valid OBJECT IDENTIFIER`);
    value = value * 128 + (content[i] & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw malformed(`${what} has an arc too large`);
    if ((content[i] & 0x80) === 0) {
      if (arcs.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        arcs.push(first, value - first * 40);
      } else {
        arcs.push(value);
      }
      value = 0;
    }
  }
  return arcs.join('.');
}

/** The two's-complement bytes of an INTEGER, as stored (serial numbers are compared as bytes). */
export function integerBytes(node: DerNode | undefined, what: string): Buffer {
  const content = expectUniversal(node, UniversalTag.Integer, what).content;
  if (content.length === 0) throw malformed(`${what} is an empty INTEGER`);
  return content;
}

/** A small non-negative INTEGER (versions, path lengths, salt lengths). */
export function smallInteger(node: DerNode | undefined, what: string): number {
  const content = integerBytes(node, what);
  if ((content[0] & 0x80) !== 0 || content.length > 4) throw malformed(`${what} is out of range`);
  return content.reduce((value, byte) => value * 256 + byte, 0);
}

export function octetString(node: DerNode | undefined, what: string): Buffer {
  return expectUniversal(node, UniversalTag.OctetString, what).content;
}

export function booleanValue(node: DerNode | undefined, what: string): boolean {
  const content = expectUniversal(node, UniversalTag.Boolean, what).content;
  if (content.length !== 1) throw malformed(`${what} is not a valid BOOLEAN`);
  return content[0] !== 0;
}

/** A BIT STRING's bytes; `unusedBits` low bits of the last byte are not part of it. */
export function bitString(node: DerNode | undefined, what: string): { bytes: Buffer; unusedBits: number } {
  const content = expectUniversal(node, UniversalTag.BitString, what).content;
  if (content.length === 0 || content[0] > 7 || (content.length === 1 && content[0] !== 0)) {
    throw malformed(`${what} is not a valid BIT STRING`);
  }
  return { bytes: content.subarray(1), unusedBits: content[0] };
}

const UTC_TIME = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;
const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/;

/** A UTCTime or GeneralizedTime, which X.509 and CMS require in UTC ("Z"). */
export function timeValue(node: DerNode | undefined, what: string): Date {
  if (node === undefined) throw malformed(`${what} is missing`);
  const text = node.content.toString('latin1');
  let parts: RegExpExecArray | null;
  let year: number;
  if (node.isUniversal(UniversalTag.UtcTime) && (parts = UTC_TIME.exec(text))) {
    // RFC 5280 4.1.2.5.1: two-digit years 50-99 are 19xx, 00-49 are 20xx.
    const twoDigits = Number(parts[1]);
    year = twoDigits >= 50 ? 1900 + twoDigits : 2000 + twoDigits;
  } else if (node.isUniversal(UniversalTag.GeneralizedTime) && (parts = GENERALIZED_TIME.exec(text))) {
    year = Number(parts[1]);
  } else {
    throw malformed(`${what} is not a valid UTC time (${node.tagName} "${text.slice(0, 32)}")`);
  }
  const [month, day, hours, minutes, seconds] = parts.slice(2, 7).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hours > 23 || minutes > 59 || seconds > 59) {
    throw malformed(`${what} is not a valid date ("${text}")`);
  }
  return date;
}

/** An AlgorithmIdentifier: its OID and its parameters, if any (absent and NULL both give undefined). */
export function algorithmIdentifier(node: DerNode | undefined, what: string): { oid: string; parameters?: DerNode } {
  const [oidNode, parameters, ...rest] = sequenceOf(node, what);
  if (rest.length > 0) throw malformed(`${what} has ${rest.length} unexpected elements`);
  const oid = objectIdentifier(oidNode, `${what}'s algorithm`);
  if (parameters === undefined || parameters.isUniversal(UniversalTag.Null)) return { oid };
  return { oid, parameters };
}
