import { cabChecksum } from './cab-checksum';
import { CabError, CabErrorCode } from './cab-error';
import { decodeCabName, unsafeNameReason } from './cab-names';
import { CabSource, SourceReader } from './cab-source';
import {
  CabCompression,
  CabEntry,
  CabFile,
  CabFileAttribute,
  CabFolder,
  CabHeader,
  CabHeaderFlag,
  CabReaderOptions,
  CabSignatureArea,
} from './cab-types';
import { LZX_FRAME_SIZE, LZX_MAX_WINDOW_BITS, LZX_MIN_WINDOW_BITS, LzxDecoder } from './lzx-decoder';
import { MszipDecoder } from './mszip-decoder';

export const DEFAULT_MAX_UNCOMPRESSED_SIZE = 2 * 1024 ** 3;
export const DEFAULT_MAX_RATIO = 1000;
const DEFAULT_READ_AHEAD_SIZE = 256 * 1024;

const CAB_MAGIC = 0x4643534d; // "MSCF"
const HEADER_SIZE = 36;
const RESERVE_SIZES_SIZE = 4;
const FOLDER_ENTRY_SIZE = 8;
const FILE_ENTRY_SIZE = 16;
const DATA_HEADER_SIZE = 8;
/** CFFILE names are at most 255 bytes before their NUL (CVE-2017-11423 is a 256-byte one). */
const MAX_NAME_BYTES = 255;
/** MS-CAB caps the header reserve at 60,000 bytes. */
const MAX_HEADER_RESERVE = 60000;
/** A CFDATA block decodes to at most 32 KiB and holds at most 32 KiB + 6 KiB of compressed data. */
const MAX_BLOCK_OUTPUT = 32768;
const MAX_BLOCK_INPUT = 32768 + 6144;
/** iFolder values 0xFFFD-0xFFFF mean "continued from/to another cabinet". */
const FIRST_CONTINUATION_FOLDER = 0xfffd;
/** Marker at the start of the header reserve of an Authenticode-signed cabinet. */
const SIGNATURE_RESERVE_MARKER = 0x00100000;
const SIGNATURE_RESERVE_SIZE = 12;

interface Limits {
  readonly maxUncompressedSize: number;
  readonly maxRatio: number;
}

/**
 * Reads a single Microsoft Cabinet file (MS-CAB) from random-access bytes: the headers when opened,
 * then each file's data as a stream.
 *
 * Opening checks everything that can be checked from the headers (structure, names, folder indexes,
 * declared sizes against the limits) and refuses the cabinet with a CabError at the first problem.
 * Extraction checks the rest as it goes: CFDATA checksums, the compressed data, that every file's
 * data is there, and the limits again against what is really decoded, so a cabinet whose headers
 * understate its size is stopped at the limit rather than trusted.
 *
 * Memory is bounded by the read-ahead buffer, one LZX window (at most 2 MiB) or MSZIP history
 * (32 KiB), and the 32 KiB block being handed out; never by the size of a file or of the cabinet.
 */
export class CabReader {
  private constructor(
    readonly header: CabHeader,
    readonly folders: readonly CabFolder[],
    /** The file entries in CFFILE order. */
    readonly files: readonly CabFile[],
    private readonly filesByFolder: readonly (readonly CabFile[])[],
    private readonly reader: SourceReader,
    private readonly limits: Limits,
  ) {}

  /** Reads and checks the headers; throws a CabError when the cabinet is refused. */
  static async open(source: CabSource, options: CabReaderOptions = {}): Promise<CabReader> {
    const limits: Limits = {
      maxUncompressedSize: options.maxUncompressedSize ?? DEFAULT_MAX_UNCOMPRESSED_SIZE,
      maxRatio: options.maxRatio ?? DEFAULT_MAX_RATIO,
    };
    const reader = new SourceReader(source, options.readAheadSize ?? DEFAULT_READ_AHEAD_SIZE);
    const header = await readHeader(reader);
    const folders = await readFolders(reader, header);
    const files = await readFiles(reader, header);
    const filesByFolder = checkFiles(header, folders, files, limits);
    return new CabReader(header, folders, files, filesByFolder, reader, limits);
  }

  /** Sum of the files' declared sizes. */
  get declaredSize(): number {
    return this.files.reduce((total, file) => total + file.size, 0);
  }

  /**
   * The files with their data, folder by folder and within a folder in the order of their data,
   * decoding each folder once from its start. Each call starts a new pass over the cabinet.
   */
  async *entries(): AsyncGenerator<CabEntry> {
    const budget = new DecodeBudget(this.limits, this.reader.size);
    for (const folder of this.folders) {
      const files = this.filesByFolder[folder.index];
      if (files.length === 0) continue;
      const stream = new FolderStream(this.reader, this.header, folder, budget);
      for (const file of files) {
        const entry = new EntryData(stream, file);
        // An empty file needs no data, wherever its offset points.
        if (file.size > 0) await stream.skipTo(file.folderOffset, file.name);
        yield { file, data: entry };
        await entry.finish();
      }
    }
  }
}

async function readHeader(reader: SourceReader): Promise<CabHeader> {
  const fileSize = reader.size;
  if (fileSize < 4) throw new CabError(CabErrorCode.NotACabinet, `the file is only ${fileSize} bytes long`);
  const magic = await reader.bytes(0, 4, 'the signature');
  if (magic.readUInt32LE(0) !== CAB_MAGIC) {
    throw new CabError(CabErrorCode.NotACabinet, 'the file does not start with "MSCF"');
  }
  const fixed = await reader.bytes(0, HEADER_SIZE, 'the end of the cabinet header');
  const cabinetSize = fixed.readUInt32LE(8);
  const filesOffset = fixed.readUInt32LE(16);
  const versionMinor = fixed[24];
  const versionMajor = fixed[25];
  const folderCount = fixed.readUInt16LE(26);
  const fileCount = fixed.readUInt16LE(28);
  const flags = fixed.readUInt16LE(30);
  const setId = fixed.readUInt16LE(32);
  const cabinetIndex = fixed.readUInt16LE(34);

  if (versionMajor !== 1 || versionMinor !== 3) {
    throw new CabError(CabErrorCode.BadHeader, `cabinet version ${versionMajor}.${versionMinor}, expected 1.3`);
  }
  if (flags & (CabHeaderFlag.PrevCabinet | CabHeaderFlag.NextCabinet)) {
    throw new CabError(
      CabErrorCode.MultiCabinet,
      'the cabinet is part of a multi-cabinet set (it continues from or into another cabinet)',
    );
  }
  if (cabinetSize < HEADER_SIZE) {
    throw new CabError(CabErrorCode.BadHeader, `the header gives the cabinet size as ${cabinetSize} bytes`);
  }
  if (cabinetSize > fileSize) {
    throw new CabError(
      CabErrorCode.Truncated,
      `the header gives the cabinet size as ${cabinetSize} bytes but the file has ${fileSize}`,
    );
  }
  if (folderCount === 0 || fileCount === 0) {
    throw new CabError(CabErrorCode.BadHeader, `the cabinet has ${folderCount} folders and ${fileCount} files`);
  }

  let headerReserveSize = 0;
  let folderReserveSize = 0;
  let dataReserveSize = 0;
  let headerReserve = Buffer.alloc(0);
  let signature: CabSignatureArea | undefined;
  let headerReserveOffset = HEADER_SIZE;
  if (flags & CabHeaderFlag.ReservePresent) {
    headerReserveOffset = HEADER_SIZE + RESERVE_SIZES_SIZE;
    const sizes = await reader.bytes(HEADER_SIZE, RESERVE_SIZES_SIZE, 'the reserve sizes');
    headerReserveSize = sizes.readUInt16LE(0);
    folderReserveSize = sizes[2];
    dataReserveSize = sizes[3];
    if (headerReserveSize > MAX_HEADER_RESERVE) {
      throw new CabError(
        CabErrorCode.BadHeader,
        `the header reserve is ${headerReserveSize} bytes (at most ${MAX_HEADER_RESERVE})`,
      );
    }
    checkInCabinet(headerReserveOffset, headerReserveSize, cabinetSize, 'the header reserve');
    headerReserve = Buffer.from(await reader.bytes(headerReserveOffset, headerReserveSize, 'the header reserve'));
    signature = signatureArea(headerReserve, fileSize);
  }

  return {
    cabinetSize,
    fileSize,
    versionMajor,
    versionMinor,
    flags,
    setId,
    cabinetIndex,
    folderCount,
    fileCount,
    filesOffset,
    headerReserveSize,
    folderReserveSize,
    dataReserveSize,
    headerReserveOffset,
    headerReserve,
    ...(signature ? { signature } : {}),
  };
}

function signatureArea(reserve: Buffer, fileSize: number): CabSignatureArea | undefined {
  if (reserve.length < SIGNATURE_RESERVE_SIZE || reserve.readUInt32LE(0) !== SIGNATURE_RESERVE_MARKER) {
    return undefined;
  }
  const offset = reserve.readUInt32LE(4);
  const length = reserve.readUInt32LE(8);
  if (offset + length > fileSize) {
    throw new CabError(
      CabErrorCode.Truncated,
      `the signature is declared at bytes ${offset}..${offset + length} but the file has ${fileSize}`,
    );
  }
  return { offset, length };
}

async function readFolders(reader: SourceReader, header: CabHeader): Promise<CabFolder[]> {
  const entrySize = FOLDER_ENTRY_SIZE + header.folderReserveSize;
  const start = header.headerReserveOffset + header.headerReserveSize;
  checkInCabinet(start, entrySize * header.folderCount, header.cabinetSize, 'the folder table');
  const table = await reader.bytes(start, entrySize * header.folderCount, 'the folder table');

  const folders: CabFolder[] = [];
  for (let index = 0; index < header.folderCount; index++) {
    const at = index * entrySize;
    const compressionType = table.readUInt16LE(at + 6);
    const dataOffset = table.readUInt32LE(at);
    if (dataOffset > header.cabinetSize) {
      throw new CabError(
        CabErrorCode.BadHeader,
        `folder ${index}'s data starts at ${dataOffset}, past the end of the cabinet`,
      );
    }
    const base = {
      index,
      dataOffset,
      blockCount: table.readUInt16LE(at + 4),
      compressionType,
      reserve: Buffer.from(table.subarray(at + FOLDER_ENTRY_SIZE, at + entrySize)),
    };
    // Only the low nibble and, for LZX, bits 8-12 (the window) mean anything; libmspack ignores the rest too.
    switch (compressionType & 0x000f) {
      case 0:
        folders.push({ ...base, compression: CabCompression.None });
        break;
      case 1:
        folders.push({ ...base, compression: CabCompression.Mszip });
        break;
      case 2:
        folders.push({ ...base, compression: CabCompression.Quantum });
        break;
      case 3:
        folders.push({ ...base, compression: CabCompression.Lzx, lzxWindowBits: (compressionType >> 8) & 0x1f });
        break;
      default:
        folders.push({ ...base, compression: 'unknown' });
    }
  }
  return folders;
}

async function readFiles(reader: SourceReader, header: CabHeader): Promise<CabFile[]> {
  const files: CabFile[] = [];
  let at = header.filesOffset;
  for (let index = 0; index < header.fileCount; index++) {
    checkInCabinet(at, FILE_ENTRY_SIZE, header.cabinetSize, `file entry ${index}`);
    const fields = await reader.bytes(at, FILE_ENTRY_SIZE, `file entry ${index}`);
    const size = fields.readUInt32LE(0);
    const folderOffset = fields.readUInt32LE(4);
    const folderIndex = fields.readUInt16LE(8);
    const dosDate = fields.readUInt16LE(10);
    const dosTime = fields.readUInt16LE(12);
    const attributes = fields.readUInt16LE(14);

    const nameStart = at + FILE_ENTRY_SIZE;
    const available = Math.min(MAX_NAME_BYTES + 1, header.cabinetSize - nameStart);
    const nameArea = await reader.bytes(nameStart, Math.max(0, available), `the name of file entry ${index}`);
    const nameLength = nameArea.indexOf(0);
    if (nameLength < 0) {
      throw new CabError(
        CabErrorCode.BadHeader,
        available > MAX_NAME_BYTES
          ? `the name of file entry ${index} is longer than ${MAX_NAME_BYTES} bytes`
          : `the name of file entry ${index} runs past the end of the cabinet`,
      );
    }
    const nameBytes = Buffer.from(nameArea.subarray(0, nameLength));
    const modified = dosDateTime(dosDate, dosTime);
    files.push({
      index,
      name: decodeCabName(nameBytes, (attributes & CabFileAttribute.NameIsUtf8) !== 0),
      nameBytes,
      size,
      folderIndex,
      folderOffset,
      attributes,
      dosDate,
      dosTime,
      ...(modified ? { modified } : {}),
    });
    at = nameStart + nameLength + 1;
  }
  return files;
}

/**
 * Checks that need both folders and files; the first problem found refuses the cabinet. Returns the
 * files of each folder in the order of their data.
 */
function checkFiles(
  header: CabHeader,
  folders: readonly CabFolder[],
  files: readonly CabFile[],
  limits: Limits,
): CabFile[][] {
  for (const folder of folders) {
    const unsupported = unsupportedCompression(folder);
    if (unsupported) {
      const first = files.find((file) => file.folderIndex === folder.index);
      const reason = `folder ${folder.index} uses ${unsupported}`;
      throw new CabError(CabErrorCode.UnsupportedCompression, reason, first?.name);
    }
  }

  for (const file of files) {
    if (file.folderIndex >= FIRST_CONTINUATION_FOLDER) {
      throw new CabError(CabErrorCode.MultiCabinet, 'the file continues from or into another cabinet', file.name);
    }
    if (file.folderIndex >= folders.length) {
      throw new CabError(
        CabErrorCode.BadFolderIndex,
        `the file is in folder ${file.folderIndex} but the cabinet has ${folders.length} folders`,
        file.name,
      );
    }
    const reason = unsafeNameReason(file.nameBytes, (file.attributes & CabFileAttribute.NameIsUtf8) !== 0, file.name);
    if (reason) throw new CabError(CabErrorCode.UnsafeName, reason, file.name);
    const folder = folders[file.folderIndex];
    const capacity = folder.blockCount * MAX_BLOCK_OUTPUT;
    if (file.folderOffset + file.size > capacity) {
      throw new CabError(
        CabErrorCode.SizeMismatch,
        `the file ends at byte ${file.folderOffset + file.size} of folder ${folder.index}, ` +
          `whose ${folder.blockCount} data blocks hold at most ${capacity} bytes`,
        file.name,
      );
    }
  }

  // Files of one folder must not share bytes: extraction walks each folder's data once, forwards.
  // Empty files come first at an offset, so they never count as overlapping.
  const byFolder: CabFile[][] = folders.map(() => []);
  for (const file of files) byFolder[file.folderIndex].push(file);
  for (const inFolder of byFolder) {
    inFolder.sort((a, b) => a.folderOffset - b.folderOffset || a.size - b.size);
    let previous: CabFile | undefined;
    for (const file of inFolder) {
      if (file.size === 0) continue;
      if (previous && file.folderOffset < previous.folderOffset + previous.size) {
        const reason = `the file's data overlaps that of ${JSON.stringify(previous.name)}`;
        throw new CabError(CabErrorCode.SizeMismatch, reason, file.name);
      }
      previous = file;
    }
  }

  const declared = files.reduce((total, file) => total + file.size, 0);
  checkLimits(declared, header.fileSize, limits, 'declares');
  return byFolder;
}

function unsupportedCompression(folder: CabFolder): string | undefined {
  switch (folder.compression) {
    case CabCompression.None:
    case CabCompression.Mszip:
      return undefined;
    case CabCompression.Lzx: {
      const bits = folder.lzxWindowBits ?? 0;
      const valid = bits >= LZX_MIN_WINDOW_BITS && bits <= LZX_MAX_WINDOW_BITS;
      return valid ? undefined : `LZX with an invalid window of 2^${bits} bytes`;
    }
    case CabCompression.Quantum:
      return 'Quantum compression, which is not supported';
    default:
      return `unknown compression type 0x${folder.compressionType.toString(16).padStart(4, '0')}`;
  }
}

function checkLimits(total: number, fileSize: number, limits: Limits, verb: string, entry?: string): void {
  if (total > limits.maxUncompressedSize) {
    throw new CabError(
      CabErrorCode.TooLarge,
      `the cabinet ${verb} more than ${limits.maxUncompressedSize} uncompressed bytes (${total})`,
      entry,
    );
  }
  if (total > limits.maxRatio * fileSize) {
    throw new CabError(
      CabErrorCode.RatioTooHigh,
      `the cabinet ${verb} ${total} uncompressed bytes from a ${fileSize}-byte file, ` +
        `above the ${limits.maxRatio}:1 limit`,
      entry,
    );
  }
}

function checkInCabinet(offset: number, length: number, cabinetSize: number, what: string): void {
  if (offset + length > cabinetSize) {
    throw new CabError(CabErrorCode.BadHeader, `${what} runs past the end of the cabinet (byte ${cabinetSize})`);
  }
}

function dosDateTime(date: number, time: number): Date | undefined {
  const year = 1980 + (date >> 9);
  const month = (date >> 5) & 0x0f;
  const day = date & 0x1f;
  const hours = time >> 11;
  const minutes = (time >> 5) & 0x3f;
  const seconds = (time & 0x1f) * 2;
  if (month < 1 || month > 12 || day < 1 || hours > 23 || minutes > 59 || seconds > 59) return undefined;
  const value = new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds));
  return value.getUTCDate() === day ? value : undefined;
}

/** What is wrong with a CFDATA block's sizes, if anything. */
function blockSizeProblem(
  compression: CabFolder['compression'],
  compressedSize: number,
  uncompressedSize: number,
  isLast: boolean,
): string | undefined {
  if (compressedSize === 0 || compressedSize > MAX_BLOCK_INPUT) return `holds ${compressedSize} compressed bytes`;
  // 0 would mean the block continues in the next cabinet of a set.
  if (uncompressedSize === 0 || uncompressedSize > MAX_BLOCK_OUTPUT) return `decodes to ${uncompressedSize} bytes`;
  if (compression === CabCompression.None && compressedSize !== uncompressedSize) {
    return `is stored but holds ${compressedSize} bytes for ${uncompressedSize}`;
  }
  // LZX frames are 32 KiB; a short one anywhere but at the end would misplace every later frame.
  if (compression === CabCompression.Lzx && !isLast && uncompressedSize !== LZX_FRAME_SIZE) {
    return `is an LZX frame of ${uncompressedSize} bytes before the last block`;
  }
  return undefined;
}

function withEntry(error: unknown, entry: string): unknown {
  return error instanceof CabError && error.entry === undefined ? new CabError(error.code, error.reason, entry) : error;
}

/**
 * Counts the bytes really decoded in one pass and stops the pass as soon as they would pass a
 * limit, before the block that would cross it is decoded.
 */
class DecodeBudget {
  private decoded = 0;

  constructor(
    private readonly limits: Limits,
    private readonly fileSize: number,
  ) {}

  spend(bytes: number, entry: string): void {
    this.decoded += bytes;
    checkLimits(this.decoded, this.fileSize, this.limits, 'decodes to', entry);
  }
}

/**
 * The uncompressed data of one folder, read forwards from its start one CFDATA block at a time.
 * Invariant: `position` is the folder offset of the next byte `read` returns, and the unread part
 * of the current block is `block[blockUsed..]`.
 */
class FolderStream {
  position = 0;
  private block: Buffer = Buffer.alloc(0);
  private blockUsed = 0;
  private blockIndex = 0;
  private nextBlockOffset: number;
  private busy = false;
  private readonly decode: (payload: Buffer, uncompressedSize: number) => Buffer;

  constructor(
    private readonly reader: SourceReader,
    private readonly header: CabHeader,
    private readonly folder: CabFolder,
    private readonly budget: DecodeBudget,
  ) {
    this.nextBlockOffset = folder.dataOffset;
    if (folder.compression === CabCompression.Mszip) {
      const mszip = new MszipDecoder();
      this.decode = (payload, size) => mszip.decodeBlock(payload, size);
    } else if (folder.compression === CabCompression.Lzx) {
      const lzx = new LzxDecoder(folder.lzxWindowBits ?? 0);
      this.decode = (payload, size) => lzx.decodeFrame(payload, size);
    } else {
      this.decode = (payload) => payload;
    }
  }

  /** Between 1 and `max` bytes of the folder's data; errors name `entry`. */
  async read(max: number, entry: string): Promise<Buffer> {
    if (this.busy) throw new Error('a cabinet folder is being read twice at once; read entries one at a time');
    this.busy = true;
    try {
      while (this.blockUsed === this.block.length) await this.nextBlock(entry);
      const take = Math.min(max, this.block.length - this.blockUsed);
      const chunk = this.block.subarray(this.blockUsed, this.blockUsed + take);
      this.blockUsed += take;
      this.position += take;
      return chunk;
    } finally {
      this.busy = false;
    }
  }

  async skipTo(offset: number, entry: string): Promise<void> {
    while (this.position < offset) await this.read(offset - this.position, entry);
  }

  private async nextBlock(entry: string): Promise<void> {
    const folder = this.folder;
    if (this.blockIndex >= folder.blockCount) {
      throw new CabError(
        CabErrorCode.SizeMismatch,
        `the file needs more data than folder ${folder.index} holds ` +
          `(${this.position} bytes in ${folder.blockCount} blocks)`,
        entry,
      );
    }
    const where = `CFDATA block ${this.blockIndex} of folder ${folder.index}`;
    const headerSize = DATA_HEADER_SIZE + this.header.dataReserveSize;
    const headerAt = this.nextBlockOffset;
    this.checkInCabinet(headerAt, headerSize, where, entry);
    const header = await this.reader.bytes(headerAt, headerSize, where);
    const storedChecksum = header.readUInt32LE(0);
    const compressedSize = header.readUInt16LE(4);
    const uncompressedSize = header.readUInt16LE(6);

    const isLast = this.blockIndex === folder.blockCount - 1;
    const problem = blockSizeProblem(folder.compression, compressedSize, uncompressedSize, isLast);
    if (problem) throw new CabError(CabErrorCode.CorruptData, `${where} ${problem}`, entry);

    const payloadAt = headerAt + headerSize;
    this.checkInCabinet(payloadAt, compressedSize, where, entry);
    const payload = await this.reader.bytes(payloadAt, compressedSize, where);
    if (storedChecksum !== 0) {
      const dataSum = cabChecksum(payload, 0);
      // MS-CAB sums cbData, cbUncomp and the block's reserve; libmspack leaves the reserve out. Either is accepted.
      const withReserve = cabChecksum(header.subarray(4), dataSum);
      const withoutReserve = cabChecksum(header.subarray(4, DATA_HEADER_SIZE), dataSum);
      if (withReserve !== storedChecksum && withoutReserve !== storedChecksum) {
        throw new CabError(
          CabErrorCode.BadChecksum,
          `${where} has checksum 0x${withReserve.toString(16)}, its header says 0x${storedChecksum.toString(16)}`,
          entry,
        );
      }
    }

    this.budget.spend(uncompressedSize, entry);
    try {
      this.block = this.decode(payload, uncompressedSize);
    } catch (error) {
      throw withEntry(error, entry);
    }
    this.blockUsed = 0;
    this.blockIndex++;
    this.nextBlockOffset = payloadAt + compressedSize;
  }

  private checkInCabinet(offset: number, length: number, where: string, entry: string): void {
    if (offset + length > this.header.cabinetSize) {
      const reason = `${where} runs past the end of the cabinet (byte ${this.header.cabinetSize})`;
      throw new CabError(CabErrorCode.CorruptData, reason, entry);
    }
  }
}

/**
 * One entry's data as an async iterable. It reads from the shared FolderStream, so it is valid only
 * until the caller asks for the next entry; `finish` then skips whatever was left unread.
 */
class EntryData implements AsyncIterable<Buffer> {
  private remaining: number;
  private iterated = false;
  /** Set when `finish` had to skip unread bytes: any later read would silently miss them. */
  private skipped = false;

  constructor(
    private readonly stream: FolderStream,
    private readonly file: CabFile,
  ) {
    this.remaining = file.size;
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    if (this.iterated) throw new Error(`the data of ${JSON.stringify(this.file.name)} can be read only once`);
    this.iterated = true;
    return this.chunks();
  }

  async finish(): Promise<void> {
    if (this.remaining === 0) return;
    this.skipped = true;
    while (this.remaining > 0) await this.take();
  }

  private async *chunks(): AsyncGenerator<Buffer> {
    for (;;) {
      if (this.skipped) {
        throw new Error(`the data of ${JSON.stringify(this.file.name)} was read after moving to the next entry`);
      }
      if (this.remaining === 0) return;
      yield await this.take();
    }
  }

  private async take(): Promise<Buffer> {
    const chunk = await this.stream.read(this.remaining, this.file.name);
    this.remaining -= chunk.length;
    return chunk;
  }
}
