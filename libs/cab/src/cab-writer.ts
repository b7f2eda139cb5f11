import { deflateRawSync } from 'node:zlib';
import { cabChecksum } from './cab-checksum';

/** Uncompressed bytes per CFDATA block: MSZIP's limit (MS-MCI 2.1). */
export const CAB_BLOCK_SIZE = 32768;
/** A folder holds at most 65,535 blocks (cCFData is 16 bits): just under 2 GiB of data. */
export const MAX_CAB_DATA = 65535 * CAB_BLOCK_SIZE;
const MAX_FILES = 65535;
const HEADER_SIZE = 36;
const FOLDER_SIZE = 8;
/** CFFILE attribute: the name is UTF-8 (else the code page's, here ASCII). */
const NAME_IS_UTF8 = 0x80;
const ARCHIVE = 0x20;

/**
 * One CFDATA block of `plain` (at most 32 KiB): its checksum, sizes and data, stored or MSZIP.
 * An MSZIP block is "CK" and an independent raw deflate stream (each block starts with an empty
 * history, which every reader accepts, MS-MCI allows and keeps blocks independent of each other).
 */
export function cabDataBlock(plain: Uint8Array, compression: 'none' | 'mszip', uncompressedSize = plain.length): Buffer {
  const payload = compression === 'mszip' ? Buffer.concat([Buffer.from('CK'), deflateRawSync(plain, { level: 9 })]) : plain;
  return cabDataFrame(payload, uncompressedSize);
}

/** One CFDATA block around a payload already compressed (any method): its checksum, sizes and data. */
export function cabDataFrame(payload: Uint8Array, uncompressedSize: number): Buffer {
  const block = Buffer.alloc(8 + payload.length);
  block.writeUInt16LE(payload.length, 4);
  block.writeUInt16LE(uncompressedSize & 0xffff, 6);
  block.set(payload, 8);
  block.writeUInt32LE(cabChecksum(block.subarray(4, 8), cabChecksum(payload, 0)), 0);
  return block;
}

/** A file to put into a cabinet: its name (`folder\update.xml`), size and bytes, read when needed (maybe twice). */
export interface CabinetInput {
  name: string;
  size: number;
  read(): AsyncIterable<Uint8Array>;
  modified?: Date;
}

/**
 * An MS-CAB cabinet of one MSZIP folder holding `files` in order, as bytes to write in turn
 * (`gcab -z` and makecab write the same form; `cabextract -t` and our reader read it). Memory
 * stays at a block: the files are read twice, once to learn the compressed size the header
 * states, once to write (deflate is deterministic). Names are written as given (`\` separates
 * folders, as makecab does), marked UTF-8 when not ASCII.
 */
export async function* writeCabinet(files: readonly CabinetInput[]): AsyncGenerator<Buffer> {
  if (files.length === 0 || files.length > MAX_FILES) throw new RangeError(`a cabinet holds 1 to ${MAX_FILES} files, not ${files.length}`);
  const total = files.reduce((sum, file) => sum + file.size, 0);
  if (total > MAX_CAB_DATA) throw new RangeError(`a cabinet's folder holds at most ${MAX_CAB_DATA} bytes, not ${total}`);
  const names = files.map((file) => Buffer.from(file.name, 'utf8'));
  const fileTable = Buffer.concat(
    files.map((file, index) => {
      const entry = Buffer.alloc(16);
      entry.writeUInt32LE(file.size, 0);
      entry.writeUInt32LE(files.slice(0, index).reduce((sum, earlier) => sum + earlier.size, 0), 4);
      entry.writeUInt16LE(0, 8); // iFolder
      const { date, time } = dosTime(file.modified ?? new Date());
      entry.writeUInt16LE(date, 10);
      entry.writeUInt16LE(time, 12);
      entry.writeUInt16LE(ARCHIVE | (/^[\x20-\x7e]*$/.test(file.name) ? 0 : NAME_IS_UTF8), 14);
      return Buffer.concat([entry, names[index], Buffer.from([0])]);
    }),
  );
  const filesOffset = HEADER_SIZE + FOLDER_SIZE;
  const dataOffset = filesOffset + fileTable.length;
  let dataSize = 0;
  let blockCount = 0;
  for await (const block of dataBlocks(files)) {
    dataSize += block.length;
    blockCount += 1;
  }
  const header = Buffer.alloc(HEADER_SIZE);
  header.write('MSCF', 0, 'latin1');
  header.writeUInt32LE(dataOffset + dataSize, 8); // cbCabinet
  header.writeUInt32LE(filesOffset, 16); // coffFiles
  header[24] = 3; // versionMinor
  header[25] = 1; // versionMajor
  header.writeUInt16LE(1, 26); // cFolders
  header.writeUInt16LE(files.length, 28);
  const folder = Buffer.alloc(FOLDER_SIZE);
  folder.writeUInt32LE(dataOffset, 0);
  folder.writeUInt16LE(blockCount, 4);
  folder.writeUInt16LE(1, 6); // MSZIP
  yield Buffer.concat([header, folder, fileTable]);
  let written = 0;
  for await (const block of dataBlocks(files)) {
    written += block.length;
    yield block;
  }
  if (written !== dataSize) throw new Error('a file changed while the cabinet was written');
}

/** The folder's MSZIP blocks: the files' bytes one after another, cut every 32 KiB. */
async function* dataBlocks(files: readonly CabinetInput[]): AsyncGenerator<Buffer> {
  const plain = Buffer.alloc(CAB_BLOCK_SIZE);
  let filled = 0;
  for (const file of files) {
    let read = 0;
    for await (const chunk of file.read()) {
      read += chunk.length;
      if (read > file.size) throw new Error(`${file.name} grew while the cabinet was written`);
      let at = 0;
      while (at < chunk.length) {
        const taken = Math.min(chunk.length - at, CAB_BLOCK_SIZE - filled);
        plain.set(chunk.subarray(at, at + taken), filled);
        filled += taken;
        at += taken;
        if (filled === CAB_BLOCK_SIZE) {
          yield cabDataBlock(plain, 'mszip');
          filled = 0;
        }
      }
    }
    if (read !== file.size) throw new Error(`${file.name} is ${read} bytes, not the ${file.size} it was`);
  }
  if (filled > 0 || files.every((file) => file.size === 0)) yield cabDataBlock(plain.subarray(0, filled), 'mszip');
}

/** MS-DOS date and time fields (local time as makecab writes it; UTC here, as the pool's times are). */
function dosTime(at: Date): { date: number; time: number } {
  const year = Math.min(Math.max(at.getUTCFullYear(), 1980), 2107);
  return {
    date: ((year - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
    time: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2),
  };
}
