import {
  bmpString,
  explicit,
  integer,
  nullValue,
  objectIdentifier,
  octetString,
  sequence,
  set,
  utcTime,
} from '../der-writer';

const CATALOG_LIST = '1.3.6.1.4.1.311.12.1.1';
const CATALOG_LIST_MEMBER = '1.3.6.1.4.1.311.12.1.2';
const CATALOG_LIST_MEMBER2 = '1.3.6.1.4.1.311.12.1.3';
const CAT_MEMBERINFO = '1.3.6.1.4.1.311.12.2.2';
const SPC_INDIRECT_DATA = '1.3.6.1.4.1.311.2.1.4';
const SPC_CAB_DATA = '1.3.6.1.4.1.311.2.1.25';
const DIGEST_OIDS = { sha1: '1.3.14.3.2.26', sha256: '2.16.840.1.101.3.4.2.1' } as const;

export interface CatalogMemberSpec {
  readonly digestAlgorithm: 'sha1' | 'sha256';
  readonly digest: Buffer;
  /** Whether the member carries SPC_INDIRECT_DATA (makecat's members do); default true. */
  readonly indirectData?: boolean;
}

/**
 * A certificate trust list as makecat writes a catalog: usage szOID_CATALOG_LIST, one member per
 * file whose tag is the file's hash in upper-case hex as UTF-16LE, with a CAT_MEMBERINFO attribute
 * and an SPC_INDIRECT_DATA attribute holding the hash.
 */
export function buildCatalogTrustList(members: readonly CatalogMemberSpec[], usage = CATALOG_LIST): Buffer {
  const memberAlgorithm = members.some((member) => member.digestAlgorithm === 'sha256')
    ? CATALOG_LIST_MEMBER2
    : CATALOG_LIST_MEMBER;
  return sequence(
    sequence(objectIdentifier(usage)),
    octetString(Buffer.from('0123456789abcdef0123456789abcdef', 'hex')),
    utcTime(new Date(Date.UTC(2025, 0, 2, 3, 4, 5))),
    sequence(objectIdentifier(memberAlgorithm), nullValue()),
    sequence(...members.map(buildMember)),
    explicit(0, sequence()),
  );
}

function buildMember(member: CatalogMemberSpec): Buffer {
  const tag = Buffer.from(member.digest.toString('hex').toUpperCase(), 'utf16le');
  const attributes = [
    sequence(
      objectIdentifier(CAT_MEMBERINFO),
      set(sequence(bmpString('{C689AAB8-8E78-11D0-8C47-00C04FC295EE}'), integer(512))),
    ),
  ];
  if (member.indirectData ?? true) {
    attributes.push(
      sequence(
        objectIdentifier(SPC_INDIRECT_DATA),
        set(
          sequence(
            sequence(objectIdentifier(SPC_CAB_DATA), explicit(0, nullValue())),
            sequence(
              sequence(objectIdentifier(DIGEST_OIDS[member.digestAlgorithm]), nullValue()),
              octetString(member.digest),
            ),
          ),
        ),
      ),
    );
  }
  return sequence(octetString(tag), set(...attributes));
}
