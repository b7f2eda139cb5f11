import { HttpException } from '@nestjs/common';
import { ERROR_STATUS, type ErrorCode, type ErrorDetails } from '@ucupdates/admin-api';

/**
 * An admin API refusal: a code the control panel and the CLI can act on, and words for people.
 * Its status is the code's row in the contract's table (libs/admin-api/src/errors.ts).
 */
export class ApiError extends HttpException {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message, ERROR_STATUS[code]);
  }
}
