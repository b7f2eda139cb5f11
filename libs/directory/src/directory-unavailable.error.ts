/**
 * The directory could not say yes or no: it did not answer in time, refused the connection, was
 * busy, or answered with an error other than "wrong credentials". A caller answers "try again
 * later" (a phone: 503 with Retry-After), never "wrong password", and counts no failed sign-in.
 */
export class DirectoryUnavailableError extends Error {
  constructor(
    message: string,
    /** Seconds after which asking again is worth it. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = DirectoryUnavailableError.name;
  }
}
