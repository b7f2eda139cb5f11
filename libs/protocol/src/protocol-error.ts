/** The statuses a phone request can be refused with; nothing a phone sends may lead to a 5xx. */
export type ProtocolStatus = 400 | 404 | 413 | 415 | 416;

/**
 * A refusal of a phone request: `status` is the HTTP answer, `code` goes into the XML `<Error>` and
 * the message into `<Message>` (it is meant for people and quotes at most the start of any input).
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';

  constructor(
    readonly status: ProtocolStatus,
    readonly code: string,
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
