/**
 * Just enough of a DER writer to build what is signed: the detached signatures `ucupdates
 * new-package` makes, and in tests certificate trust lists. Byte for byte as the format says,
 * independent of the reader (der-reader.ts) that checks them.
 */

export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  let length: Buffer;
  if (body.length < 0x80) {
    length = Buffer.from([body.length]);
  } else {
    const bytes: number[] = [];
    for (let rest = body.length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
    length = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

export const sequence = (...content: Buffer[]): Buffer => tlv(0x30, ...content);
export const set = (...content: Buffer[]): Buffer => tlv(0x31, ...content);
export const octetString = (bytes: Buffer): Buffer => tlv(0x04, bytes);
export const nullValue = (): Buffer => tlv(0x05);
/** An INTEGER from its content bytes as a certificate holds them (a serial number). */
export const integerFromBytes = (bytes: Buffer): Buffer => tlv(0x02, bytes);
export const integer = (value: number): Buffer => {
  const bytes: number[] = [];
  for (let rest = value; rest > 0 || bytes.length === 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  if (bytes[0] & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
};
export const bmpString = (text: string): Buffer => tlv(0x1e, Buffer.from(text, 'utf16le').swap16());
export const explicit = (tagNumber: number, inner: Buffer): Buffer => tlv(0xa0 | tagNumber, inner);

export function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const bytes: number[] = [];
  const values = [arcs[0] * 40 + arcs[1], ...arcs.slice(2)];
  for (const value of values) {
    const digits: number[] = [];
    for (let rest = value; rest > 0 || digits.length === 0; rest = Math.floor(rest / 128)) digits.unshift(rest & 0x7f);
    bytes.push(...digits.map((digit, index) => (index < digits.length - 1 ? digit | 0x80 : digit)));
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** A DER SET OF: its elements sorted by their encodings (X.690 11.6). */
export const setOf = (...elements: Buffer[]): Buffer => set(...[...elements].sort(Buffer.compare));

export function utcTime(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  return tlv(0x17, Buffer.from(text, 'latin1'));
}
