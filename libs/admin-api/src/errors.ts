/**
 * The admin API's error codes and the HTTP status each is answered with: one row a code. A new
 * refusal is a new row here; the frontend takes its status from this table, and the CLI and the
 * control panel know every code a pool may send.
 */
export const ERROR_STATUS = {
  // The request itself
  BadRequest: 400,
  EmptyPackage: 400,
  IncompleteUpload: 400,
  Unauthorized: 401,
  Forbidden: 403,
  CsrfRefused: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  RequestTimeout: 408,
  PayloadTooLarge: 413,
  PackageTooLarge: 413,
  UriTooLong: 414,
  UnsupportedMediaType: 415,
  Unprocessable: 422,
  TooManyRequests: 429,
  HeadersTooLarge: 431,
  /** Any other 4xx (Fastify's own refusals): the status says which. */
  ClientError: 400,
  // State conflicts
  Conflict: 409,
  NoPendingVersion: 409,
  NothingToRestore: 409,
  NotReplicated: 409,
  /** A node's removal while its frontend or worker still beats (unless forced). */
  NodeActive: 409,
  DuplicateName: 409,
  DuplicateUser: 409,
  DuplicateTarget: 409,
  NotRetriable: 409,
  // The pool
  InternalError: 500,
  ServiceUnavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The code a bare HTTP status stands for, when nothing more is known (Nest's and Fastify's own errors). */
export const STATUS_CODE: Readonly<Record<number, ErrorCode>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  408: 'RequestTimeout',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  414: 'UriTooLong',
  415: 'UnsupportedMediaType',
  422: 'Unprocessable',
  429: 'TooManyRequests',
  431: 'HeadersTooLarge',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

export function errorCodeOfStatus(status: number): ErrorCode {
  return STATUS_CODE[status] ?? (status >= 500 ? 'InternalError' : 'ClientError');
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_STATUS, code);
}

/** What a refusal's details hold: `field` for a 400 (the field named), `nodes` for NotReplicated, … */
export type ErrorDetails = Record<string, unknown>;

/** Every answer of the admin API that is not a success: `{"error": {"code", "message", "details"}}`. */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    details: ErrorDetails | null;
  };
}
