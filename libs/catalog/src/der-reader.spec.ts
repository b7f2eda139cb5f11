import { CatalogError, CatalogErrorCode } from './catalog-error';
import { objectIdentifier, readDer, sequenceOf, smallInteger, timeValue, UniversalTag } from './der-reader';
import * as der from './der-writer';

function malformedMessage(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogError);
    expect((error as CatalogError).code).toBe(CatalogErrorCode.Malformed);
    return (error as CatalogError).message;
  }
  throw new Error('accepted');
}

describe('der-reader', () => {
  it('reads nested elements with short and long lengths', () => {
    const long = der.octetString(Buffer.alloc(300, 7));
    const node = readDer(der.sequence(der.integer(5), long, der.sequence()), 'x');
    const [five, octets, empty] = sequenceOf(node, 'x');
    expect(smallInteger(five, 'x')).toBe(5);
    expect(octets.headerLength).toBe(4);
    expect(octets.content).toEqual(Buffer.alloc(300, 7));
    expect(empty.isUniversal(UniversalTag.Sequence)).toBe(true);
    expect(empty.children('x')).toEqual([]);
  });

  it('decodes object identifiers, including large arcs and the 2.x arc', () => {
    for (const oid of ['1.3.6.1.4.1.311.10.1', '2.16.840.1.101.3.4.2.1', '1.2.840.113549.1.9.4', '2.999.1']) {
      expect(objectIdentifier(readDer(der.objectIdentifier(oid), 'x'), 'x')).toBe(oid);
    }
    // 0x80 as a leading digit is a non-minimal encoding.
    expect(
      malformedMessage(() => objectIdentifier(readDer(Buffer.from([0x06, 0x02, 0x80, 0x01]), 'the oid'), 'the oid')),
    ).toContain('not a valid OBJECT IDENTIFIER');
  });

  it('reads UTCTime (with the 1950-2049 window) and GeneralizedTime', () => {
    const utc = (text: string) => timeValue(readDer(der.tlv(0x17, Buffer.from(text)), 'x'), 'x');
    const generalized = (text: string) => timeValue(readDer(der.tlv(0x18, Buffer.from(text)), 'x'), 'x');
    expect(utc('491231235959Z').toISOString()).toBe('2049-12-31T23:59:59.000Z');
    expect(utc('500101000000Z').toISOString()).toBe('1950-01-01T00:00:00.000Z');
    expect(generalized('20501231120000Z').toISOString()).toBe('2050-12-31T12:00:00.000Z');
    expect(malformedMessage(() => utc('250230000000Z'))).toContain('not a valid date');
    expect(malformedMessage(() => utc('2502280000+0100'))).toContain('not a valid UTC time');
  });

  it('refuses indefinite lengths, truncation and trailing bytes, but allows zero padding when asked', () => {
    expect(malformedMessage(() => readDer(Buffer.from([0x30, 0x80, 0x00, 0x00]), 'the blob'))).toContain(
      'indefinite length',
    );
    expect(malformedMessage(() => readDer(Buffer.from([0x30, 0x05, 0x02, 0x01]), 'the blob'))).toContain(
      'the blob is truncated',
    );
    expect(malformedMessage(() => readDer(Buffer.from([0x30, 0x82, 0x01, 0x00, 0x05]), 'the blob'))).toContain(
      'truncated',
    );
    expect(malformedMessage(() => readDer(Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), 'the blob'))).toContain(
      'declares a length of 4294967295 bytes',
    );
    expect(malformedMessage(() => readDer(Buffer.from([0x30, 0x00, 0x00]), 'the blob'))).toContain(
      '1 unexpected bytes',
    );
    expect(readDer(Buffer.from([0x30, 0x00, 0x00, 0x00]), 'the blob', true).end).toBe(2);
    expect(malformedMessage(() => readDer(Buffer.from([0x30, 0x00, 0x01]), 'the blob', true))).toContain(
      'unexpected bytes',
    );
    expect(malformedMessage(() => readDer(Buffer.alloc(0), 'the blob'))).toBe('the blob is empty');
  });

  it('reads high tag numbers and refuses a child running past its parent', () => {
    const node = readDer(Buffer.from([0xbf, 0x81, 0x00, 0x00]), 'x');
    expect(node.tagNumber).toBe(128);
    expect(node.constructed).toBe(true);
    const overrun = readDer(Buffer.from([0x30, 0x03, 0x04, 0x05, 0x00]), 'x', true);
    expect(malformedMessage(() => overrun.children('the parent'))).toContain('the parent is truncated');
  });

  it('says which element was wrong', () => {
    expect(malformedMessage(() => sequenceOf(readDer(der.set(), 'x'), "the catalog's signer infos"))).toBe(
      "the catalog's signer infos should be a SEQUENCE, found SET at byte 0",
    );
  });
});
