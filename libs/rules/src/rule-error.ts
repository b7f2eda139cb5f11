/** Why a rule change or a value was refused. One code per refusal, so callers map codes to answers. */
export enum RuleErrorCode {
  /** A version is not one to four dot-separated whole numbers from 0 to 2^31-1. */
  InvalidVersion = 'InvalidVersion',
  /** Approve or reset asked of a rule that has no pending version. */
  NoPendingVersion = 'NoPendingVersion',
  /** Restore asked of a rule that has no approved version. */
  NothingToRestore = 'NothingToRestore',
  /** A MAC address is not six or more hex pairs, joined or separated by `-` or `:`. */
  InvalidMacAddress = 'InvalidMacAddress',
}

/** A refusal of the rules domain: `code` is for programs, the message is for people. */
export class RuleError extends Error {
  override readonly name = 'RuleError';

  constructor(
    readonly code: RuleErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The start of a refused input, quoted, so that a huge value does not flood a message or a log. */
export function quoteInput(text: string): string {
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return JSON.stringify(shown);
}
