import { CAB_BLOCK_SIZE, cabDataBlock } from '../../libs/cab/src/cab-writer';

/**
 * Writes MS-CAB files byte by byte, for tests that need cabinets gcab would never make: lying
 * sizes, overlapping files, unsafe names, wrong checksums, decompression bombs. One folder, stored
 * or MSZIP, its blocks made by the cab writer `ucupdates new-package` uses (libs/cab); the header
 * and file table here, so each of their fields can lie.
 */
export interface CabWriterFile {
  /** Raw name bytes are written as given (latin1), so `..`, `/`, `C:` and NUL can be put in. */
  name: string | Buffer;
  data: Buffer;
  /** What CFFILE claims; the real data size when absent. */
  declaredSize?: number;
  /** Where CFFILE says the file starts in the folder; after the previous file when absent. */
  folderOffset?: number;
  /** CFFILE attributes (0x80 = name is UTF-8). */
  attributes?: number;
}

export interface CabWriterOptions {
  compression?: 'none' | 'mszip';
  /** Break the checksum of this CFDATA block (0-based). */
  badChecksumBlock?: number;
  /** Override the cbCabinet header field. */
  cabinetSize?: number;
  /** Override the cFiles header field (more than written = reading past the end). */
  fileCount?: number;
  /** Override the folder's cCFData. */
  blockCount?: number;
  /** Override one CFDATA block's cbUncomp (0-based index). */
  lyingBlock?: { index: number; uncompressedSize: number };
  /** Header flags (1 = previous cabinet, 2 = next cabinet, 4 = reserve present). */
  flags?: number;
}


export function writeCab(files: CabWriterFile[], options: CabWriterOptions = {}): Buffer {
  const compression = options.compression ?? 'none';
  const folderData = Buffer.concat(files.map((file) => file.data));
  const names = files.map((file) => (typeof file.name === 'string' ? Buffer.from(file.name, 'latin1') : file.name));
  const fileTableSize = names.reduce((total, name) => total + 16 + name.length + 1, 0);
  const headerSize = 36;
  const folderOffset = headerSize;
  const filesOffset = folderOffset + 8;
  const dataOffset = filesOffset + fileTableSize;

  const blocks: Buffer[] = [];
  let blockIndex = 0;
  for (let at = 0; at < folderData.length || (at === 0 && blockIndex === 0); at += CAB_BLOCK_SIZE) {
    const plain = folderData.subarray(at, at + CAB_BLOCK_SIZE);
    const uncompressed = options.lyingBlock?.index === blockIndex ? options.lyingBlock.uncompressedSize : plain.length;
    const block = cabDataBlock(plain, compression, uncompressed);
    if (options.badChecksumBlock === blockIndex) block.writeUInt32LE((block.readUInt32LE(0) ^ 0x5a5a5a5a) >>> 0, 0);
    blocks.push(block);
    blockIndex++;
    if (folderData.length === 0) break;
  }
  const data = Buffer.concat(blocks);
  const total = dataOffset + data.length;

  const header = Buffer.alloc(headerSize);
  header.write('MSCF', 0, 'latin1');
  header.writeUInt32LE(options.cabinetSize ?? total, 8);
  header.writeUInt32LE(filesOffset, 16);
  header[24] = 3;
  header[25] = 1;
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(options.fileCount ?? files.length, 28);
  header.writeUInt16LE(options.flags ?? 0, 30);

  const folder = Buffer.alloc(8);
  folder.writeUInt32LE(dataOffset, 0);
  folder.writeUInt16LE(options.blockCount ?? blocks.length, 4);
  folder.writeUInt16LE(compression === 'mszip' ? 1 : 0, 6);

  const entries: Buffer[] = [];
  let offset = 0;
  files.forEach((file, i) => {
    const entry = Buffer.alloc(16);
    entry.writeUInt32LE(file.declaredSize ?? file.data.length, 0);
    entry.writeUInt32LE(file.folderOffset ?? offset, 4);
    entry.writeUInt16LE(0, 8);
    entry.writeUInt16LE(0x5b3b, 10); // 2025-09-27
    entry.writeUInt16LE(0x6000, 12);
    entry.writeUInt16LE(file.attributes ?? 0x20, 14);
    entries.push(entry, names[i], Buffer.from([0]));
    offset += file.data.length;
  });
  return Buffer.concat([header, folder, ...entries, data]);
}

/** A description as update-package.md has it, for cabinets that should get as far as reading it. */
export function updateXml(fields: Partial<Record<string, string>> = {}): string {
  const value = (name: string, fallback: string) => fields[name] ?? fallback;
  return `<?xml version="1.0" encoding="utf-8"?>
<DeviceUpdate>
  <DeviceType>${value('DeviceType', 'UCPhone')}</DeviceType>
  <Brand>${value('Brand', 'Hostile')}</Brand>
  <Model>${value('Model', 'HX1')}</Model>
  <Revision>A</Revision>
  <Locale>ENU</Locale>
  <UpdateType>CPE</UpdateType>
  <Version>${value('Version', '1.0.0.1')}</Version>
  <Image>${value('Image', 'CPE.nbt')}</Image>
  <Catalog>CPE.cat</Catalog>
</DeviceUpdate>
`;
}
