import { SwuError, SwuErrorCode } from './swu-error';

/**
 * Random access to the bytes of an archive: a file handle or bytes in memory. The same shape as
 * libs/cab's CabSource, so one adapter over a file handle serves both.
 */
export interface ByteSource {
  readonly size: number;
  /** The bytes [offset, offset + length); fewer only where the range runs past the end. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, offset + length) };
}

/** A cpio member as its header describes it; its data is not read. */
export interface CpioMember {
  name: string;
  size: number;
  /** Where its data starts in the archive. */
  dataOffset: number;
  /** `crc` archives: the sum of the data's bytes, modulo 2^32; `newc`: 0. */
  check: number;
}

export type CpioFormat = 'newc' | 'crc';

const MAGIC: Record<string, CpioFormat> = { '070701': 'newc', '070702': 'crc' };
const HEADER_SIZE = 110;
/** The 13 eight-digit hex fields after the six-byte magic (ino … check). */
const FIELDS = 13;
const FILE_SIZE_FIELD = 6;
const NAME_SIZE_FIELD = 11;
const CHECK_FIELD = 12;
const TRAILER = 'TRAILER!!!';
/** Linux's PATH_MAX: no real member name is longer. */
const MAX_NAME_BYTES = 4096;

export interface CpioLimits {
  /** Members at most (the trailer not counted). */
  readonly maxMembers: number;
}

const align4 = (offset: number) => (offset + 3) & ~3;

/**
 * The members of a cpio archive in SVR4 `newc` or `crc` form (what `cpio -H newc|crc` writes and
 * SWUpdate reads), header by header: only the 110-byte headers and the names are read, each
 * member's data is skipped, so a gigabyte image costs a few reads per member. Bounded: at most
 * `maxMembers` members, names of at most 4096 bytes, every member inside the file, and the
 * archive must end with its `TRAILER!!!`. Throws SwuError saying what is wrong.
 */
export async function readCpioMembers(source: ByteSource, limits: CpioLimits): Promise<{ format: CpioFormat; members: CpioMember[] }> {
  const members: CpioMember[] = [];
  let format: CpioFormat = 'newc';
  for await (const member of cpioMembers(source)) {
    if (member === TRAILER_REACHED) return { format, members };
    if (members.length >= limits.maxMembers) {
      throw new SwuError(SwuErrorCode.TooLarge, `it has more than ${limits.maxMembers} members`);
    }
    format = member.format;
    members.push(member.member);
  }
  throw truncated('before its trailer');
}

const TRAILER_REACHED = Symbol('trailer');

/**
 * The members one by one, then TRAILER_REACHED: a caller that wants only the first ones (the CLI,
 * which reads the start of a file) stops early and reads no further header.
 */
export async function* cpioMembers(source: ByteSource): AsyncGenerator<{ format: CpioFormat; member: CpioMember } | typeof TRAILER_REACHED> {
  let format: CpioFormat | undefined;
  let offset = 0;
  for (;;) {
    const header = Buffer.from(await source.read(offset, HEADER_SIZE));
    const magic = header.subarray(0, 6).toString('latin1');
    const thisFormat = MAGIC[magic];
    if (thisFormat === undefined) {
      if (offset === 0) {
        throw new SwuError(SwuErrorCode.NotCpio, 'it is not a cpio archive in newc or crc form (it does not start with 070701 or 070702)');
      }
      if (header.length < 6) throw truncated(`before the header at offset ${offset}`);
      throw new SwuError(SwuErrorCode.BadHeader, `the header at offset ${offset} does not start with ${format === 'crc' ? '070702' : '070701'}`);
    }
    format ??= thisFormat;
    if (thisFormat !== format) {
      throw new SwuError(SwuErrorCode.BadHeader, `the header at offset ${offset} is ${thisFormat}, the archive's first is ${format}`);
    }
    if (header.length < HEADER_SIZE) throw truncated(`in the header at offset ${offset}`);
    const fields = readFields(header, offset);
    const nameSize = fields[NAME_SIZE_FIELD];
    if (nameSize < 2 || nameSize > MAX_NAME_BYTES + 1) {
      throw new SwuError(SwuErrorCode.BadHeader, `the header at offset ${offset} gives a name of ${nameSize - 1} bytes`);
    }
    const nameBytes = Buffer.from(await source.read(offset + HEADER_SIZE, nameSize));
    if (nameBytes.length < nameSize) throw truncated(`in the name at offset ${offset + HEADER_SIZE}`);
    if (nameBytes[nameSize - 1] !== 0 || nameBytes.subarray(0, nameSize - 1).includes(0)) {
      throw new SwuError(SwuErrorCode.BadHeader, `the name at offset ${offset + HEADER_SIZE} is not one NUL-terminated name`);
    }
    const name = nameBytes.subarray(0, nameSize - 1).toString('utf8');
    const dataOffset = align4(offset + HEADER_SIZE + nameSize);
    const size = fields[FILE_SIZE_FIELD];
    if (name === TRAILER) {
      yield TRAILER_REACHED;
      return;
    }
    if (dataOffset + size > source.size) {
      throw truncated(`in the data of ${JSON.stringify(name)} (${size} bytes from offset ${dataOffset}, the file has ${source.size})`);
    }
    yield { format, member: { name, size, dataOffset, check: format === 'crc' ? fields[CHECK_FIELD] : 0 } };
    offset = align4(dataOffset + size);
  }
}

/** A member's data, whole (for the small ones: sw-description and its signature), its checksum checked in `crc` archives. */
export async function readMemberData(source: ByteSource, member: CpioMember, format: CpioFormat): Promise<Buffer> {
  const data = Buffer.from(await source.read(member.dataOffset, member.size));
  if (data.length < member.size) throw truncated(`in the data of ${JSON.stringify(member.name)}`);
  if (format === 'crc') {
    let sum = 0;
    for (const byte of data) sum = (sum + byte) >>> 0;
    if (sum !== member.check) {
      throw new SwuError(
        SwuErrorCode.BadChecksum,
        `${JSON.stringify(member.name)}'s bytes sum to ${sum.toString(16).padStart(8, '0')}, its header says ${member.check.toString(16).padStart(8, '0')}`,
      );
    }
  }
  return data;
}

function readFields(header: Buffer, offset: number): number[] {
  const fields: number[] = [];
  for (let index = 0; index < FIELDS; index++) {
    const text = header.subarray(6 + index * 8, 14 + index * 8).toString('latin1');
    if (!/^[0-9A-Fa-f]{8}$/.test(text)) {
      throw new SwuError(SwuErrorCode.BadHeader, `field ${index + 1} of the header at offset ${offset} is not eight hex digits`);
    }
    fields.push(Number.parseInt(text, 16));
  }
  return fields;
}

function truncated(where: string): SwuError {
  return new SwuError(SwuErrorCode.Truncated, `the archive ends ${where}`);
}
