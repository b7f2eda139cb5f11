/** CFHEADER.flags bits. */
export enum CabHeaderFlag {
  PrevCabinet = 0x0001,
  NextCabinet = 0x0002,
  ReservePresent = 0x0004,
}

/** CFFILE.attribs bits. */
export enum CabFileAttribute {
  ReadOnly = 0x01,
  Hidden = 0x02,
  System = 0x04,
  Archive = 0x20,
  Execute = 0x40,
  NameIsUtf8 = 0x80,
}

export enum CabCompression {
  None = 'none',
  Mszip = 'MSZIP',
  Quantum = 'Quantum',
  Lzx = 'LZX',
}

/**
 * Where an Authenticode signature sits, as signtool and osslsigncode write it: a 20-byte header
 * reserve starting 00 00 10 00, then the signature's file offset and length (it follows the
 * cabinet proper, at offset cabinetSize). Checked only to lie inside the file; verifying it is the
 * signature checker's job.
 */
export interface CabSignatureArea {
  readonly offset: number;
  readonly length: number;
}

export interface CabHeader {
  /** cbCabinet: bytes of the cabinet proper; a signature, when present, comes after them. */
  readonly cabinetSize: number;
  /** Size of the whole file the cabinet was read from. */
  readonly fileSize: number;
  readonly versionMajor: number;
  readonly versionMinor: number;
  /** CFHEADER.flags (see CabHeaderFlag). */
  readonly flags: number;
  readonly setId: number;
  readonly cabinetIndex: number;
  readonly folderCount: number;
  readonly fileCount: number;
  /** coffFiles: file offset of the first CFFILE entry. */
  readonly filesOffset: number;
  /** Reserve sizes per structure (all 0 unless the ReservePresent flag is set). */
  readonly headerReserveSize: number;
  readonly folderReserveSize: number;
  readonly dataReserveSize: number;
  /** File offset of the header reserve area: 40 when there is one (after the reserve sizes), else 36. */
  readonly headerReserveOffset: number;
  /** The header reserve area's bytes (empty when there is none). */
  readonly headerReserve: Buffer;
  readonly signature?: CabSignatureArea;
}

export interface CabFolder {
  readonly index: number;
  /** coffCabStart: file offset of the folder's first CFDATA block. */
  readonly dataOffset: number;
  /** cCFData: number of CFDATA blocks. */
  readonly blockCount: number;
  /** typeCompress as stored. */
  readonly compressionType: number;
  readonly compression: CabCompression | 'unknown';
  /** LZX window size as a power of two (15-21), for LZX folders. */
  readonly lzxWindowBits?: number;
  /** The folder's reserve area (cbCFFolder bytes). */
  readonly reserve: Buffer;
}

export interface CabFile {
  /** Position of the entry in the CFFILE table. */
  readonly index: number;
  /** The name as stored (`\` separators), decoded as UTF-8 or Latin-1 (see CabFileAttribute). */
  readonly name: string;
  /** The raw bytes of the name, without the terminating NUL. */
  readonly nameBytes: Buffer;
  /** cbFile: uncompressed size in bytes. */
  readonly size: number;
  /** iFolder. */
  readonly folderIndex: number;
  /** uoffFolderStart: offset of the file's first byte in its folder's uncompressed data. */
  readonly folderOffset: number;
  /** CFFILE.attribs (see CabFileAttribute). */
  readonly attributes: number;
  /** MS-DOS date and time as stored. */
  readonly dosDate: number;
  readonly dosTime: number;
  /**
   * dosDate/dosTime as a Date, or undefined when they are not a valid date. MS-DOS times have no
   * time zone; they are read as UTC so the result does not depend on the host.
   */
  readonly modified?: Date;
}

export interface CabReaderOptions {
  /** Most uncompressed bytes, declared or decoded, in the whole cabinet. Default 2 GiB. */
  readonly maxUncompressedSize?: number;
  /** Most uncompressed bytes per byte of the file, declared or decoded. Default 1000. */
  readonly maxRatio?: number;
  /** Bytes asked of the source at a time. Default 256 KiB. */
  readonly readAheadSize?: number;
}

/** One file of the cabinet during extraction. */
export interface CabEntry {
  readonly file: CabFile;
  /**
   * The file's bytes, in order, in chunks of at most 32 KiB. Read it before asking for the next
   * entry; an entry left unread is skipped (still decoded, as later files need the history).
   */
  readonly data: AsyncIterable<Buffer>;
}
