/** Why a `.swu` was refused (ddi.md, "Packages"). One code per kind of refusal. */
export enum SwuErrorCode {
  /** The file does not start with a cpio `newc` (070701) or `crc` (070702) header. */
  NotCpio = 'NotCpio',
  /** The archive ends before a header, a name or a member's data it announces, or has no trailer. */
  Truncated = 'Truncated',
  /** A header field is not hexadecimal, a name is empty, unterminated or too long, or the headers disagree. */
  BadHeader = 'BadHeader',
  /** A `crc` member's checksum (the sum of its bytes) is not the header's. */
  BadChecksum = 'BadChecksum',
  /** The first member is not `sw-description`, which SWUpdate reads first. */
  DescriptionNotFirst = 'DescriptionNotFirst',
  /** More members, or a larger sw-description or signature, than any real image has. */
  TooLarge = 'TooLarge',
  /** The image carries no `sw-description.sig` (the second member) where one is needed. */
  NotSigned = 'NotSigned',
}

/**
 * A refused `.swu`: the message says what and why, without the file's name (the caller adds it).
 * A signature that does not verify is libs/catalog's CatalogError, as a catalog's is.
 */
export class SwuError extends Error {
  override readonly name = 'SwuError';

  constructor(
    readonly code: SwuErrorCode,
    message: string,
  ) {
    super(message);
  }
}
