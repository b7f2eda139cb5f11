/**
 * Every key ucupdates writes to the object store, built here and nowhere else:
 *
 * - `uploads/<uuid>`: an uploaded package while it streams in, before its hash is known;
 * - `packages/<sha256>`: an imported package (.cab), by its content;
 * - `files/<sha256>`: a file of an update (image or catalog), by its content, stored once;
 * - `logs/<yyyy>/<mm>/<dd>/<uuid>`: a log a device uploaded; the date (UTC) only groups objects
 *   for people browsing the bucket, the log's row holds its key.
 */
export const ObjectKeys = {
  upload(id: string): string {
    return `uploads/${id}`;
  },

  package(sha256: string): string {
    return `packages/${sha256}`;
  },

  file(sha256: string): string {
    return `files/${sha256}`;
  },

  deviceLog(id: string, at: Date): string {
    return `logs/${at.getUTCFullYear()}/${pad(at.getUTCMonth() + 1)}/${pad(at.getUTCDate())}/${id}`;
  },
} as const;

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
