import { type ErrorBody, type ErrorCode, type ErrorDetails, errorCodeOfStatus, isErrorCode } from './errors';

/**
 * What a client calls a failure the API did not describe itself: no answer (`Unreachable`,
 * `Timeout`), a transfer cut short or cancelled, an answer that is not the admin API's JSON (a
 * proxy's page, the external listener), a cursor given twice, a download that is not the file
 * the pool recorded, or a fault of the client's own (`Error`).
 */
export type ClientFailureCode = 'Unreachable' | 'Timeout' | 'Interrupted' | 'Aborted' | 'NotAdminApi' | 'BadCursor' | 'Corrupt' | 'Error';

export type FailureCode = ErrorCode | ClientFailureCode;

/** A request the pool refused or could not answer, as the CLI and the control panel hold it. */
export class ApiFailure extends Error {
  constructor(
    /** The HTTP status; 0 when there was no answer. */
    readonly status: number,
    readonly code: FailureCode,
    message: string,
    readonly details: ErrorDetails | null = null,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

/**
 * The failure an answer that is not a success stands for: the API's error body, kept whole; a code
 * this client does not know (a newer pool's) becomes its status's code, the message kept. An answer
 * without the error body is not the admin API talking (the external listener's XML, a proxy's page).
 */
export function failureOf(status: number, statusText: string, text: string): ApiFailure {
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: not the admin API
  }
  const error = (parsed as Partial<ErrorBody> | null)?.error as { code?: unknown; message?: unknown; details?: unknown } | undefined;
  if (error && typeof error.code === 'string') {
    const code = isErrorCode(error.code) ? error.code : errorCodeOfStatus(status);
    const message = typeof error.message === 'string' ? error.message : statusText || `HTTP ${status}`;
    const details = error.details && typeof error.details === 'object' ? (error.details as ErrorDetails) : null;
    return new ApiFailure(status, code, message, details);
  }
  const hint = status === 404 ? ' (is the URL the internal listener of a ucupdates pool?)' : '';
  return new ApiFailure(status, 'NotAdminApi', `${statusText || `HTTP ${status}`}${hint}`);
}
