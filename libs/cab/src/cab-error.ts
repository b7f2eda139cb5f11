/** Why a cabinet was refused. One code per kind of refusal, so callers can map codes to answers. */
export enum CabErrorCode {
  /** The bytes do not start with a cabinet header ("MSCF"). */
  NotACabinet = 'NotACabinet',
  /** The file ends before a structure that the headers say is there. */
  Truncated = 'Truncated',
  /** A header field is out of range or inconsistent (version, counts, offsets, name length). */
  BadHeader = 'BadHeader',
  /** A file entry names a folder the cabinet does not have. */
  BadFolderIndex = 'BadFolderIndex',
  /** A CFDATA block's stored checksum does not match its bytes. */
  BadChecksum = 'BadChecksum',
  /** The cabinet is one part of a multi-cabinet set; only single cabinets are accepted. */
  MultiCabinet = 'MultiCabinet',
  /** A file name is empty, absolute, has a drive letter, a `..` component, a NUL or invalid UTF-8. */
  UnsafeName = 'UnsafeName',
  /** A file's declared offset or size disagrees with the data of its folder. */
  SizeMismatch = 'SizeMismatch',
  /** The uncompressed size (declared or decoded so far) is above the configured limit. */
  TooLarge = 'TooLarge',
  /** Uncompressed size divided by cabinet size (declared or decoded so far) is above the limit. */
  RatioTooHigh = 'RatioTooHigh',
  /** A folder uses Quantum or an unknown compression type, or an LZX window outside 15-21. */
  UnsupportedCompression = 'UnsupportedCompression',
  /** Compressed data does not decode (bad MSZIP/LZX stream, wrong block sizes). */
  CorruptData = 'CorruptData',
}

/**
 * A refused or unreadable cabinet. `entry` is the name of the cab entry (file inside the cabinet)
 * the error is about, as stored, when there is one; the message always says the reason and, when
 * there is an entry, starts with its name.
 */
export class CabError extends Error {
  override readonly name = 'CabError';

  constructor(
    readonly code: CabErrorCode,
    readonly reason: string,
    readonly entry?: string,
  ) {
    super(entry === undefined ? reason : `${JSON.stringify(entry)}: ${reason}`);
  }
}
