import { HttpException, type HttpStatus } from '@nestjs/common';

/**
 * A refusal of a phone request: the XML `<Error>` code, words for the `<Message>` (none where the
 * protocol's answer has none, e.g. AnonymousAccessNotSupported) and headers the answer needs
 * (WWW-Authenticate, Retry-After).
 */
export class PhoneError extends HttpException {
  constructor(
    readonly code: string,
    readonly detail: string | undefined,
    status: HttpStatus,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail ?? code, status);
  }
}
