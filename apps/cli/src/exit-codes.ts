/**
 * What the CLI's exit code says, so scripts can tell a refusal from an outage without reading
 * stderr (docs/cli.md). The numbers are a contract: never renumber them.
 */
export enum ExitCode {
  Ok = 0,
  /** The API refused the request (a 4xx not listed below), or an import was refused. */
  Refused = 1,
  /** Bad flags or arguments: nothing was sent. */
  Usage = 2,
  /** No token, an unknown token (401), or a role that may not do this (403). */
  NotAuthorised = 3,
  NotFound = 4,
  /** The state does not allow it (409): nothing pending to approve, a duplicate name, … */
  Conflict = 5,
  /** The pool answered 5xx, could not be reached, or did not answer in time. */
  ServerError = 6,
}

export function exitCodeForStatus(status: number): ExitCode {
  if (status === 401 || status === 403) {
    return ExitCode.NotAuthorised;
  }
  if (status === 404) {
    return ExitCode.NotFound;
  }
  if (status === 409) {
    return ExitCode.Conflict;
  }
  if (status >= 400 && status < 500) {
    return ExitCode.Refused;
  }
  // 5xx, and answers the admin API never gives (a redirect from a proxy in between).
  return ExitCode.ServerError;
}

/** A mistake in the command line, found before anything is sent. */
export class UsageError extends Error {
  readonly exitCode = ExitCode.Usage;
}

/** The command cannot authenticate: there is no token to send. */
export class NoTokenError extends Error {
  readonly exitCode = ExitCode.NotAuthorised;
}
