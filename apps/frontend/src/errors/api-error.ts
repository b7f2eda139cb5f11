import { HttpException, HttpStatus } from '@nestjs/common';

/** An admin API refusal: a code the control panel and the CLI can act on, and words for people. */
export class ApiError extends HttpException {
  constructor(
    readonly code: string,
    message: string,
    status: HttpStatus,
    readonly details?: Record<string, unknown>,
  ) {
    super(message, status);
  }
}
