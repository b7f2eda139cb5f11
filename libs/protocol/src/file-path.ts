import type { RuleKeyFields } from '@ucupdates/rules';
import { quoteInput } from './protocol-error';

/**
 * One folder of the store: the files of one version of one rule. Phones find it at
 * `/<DeviceType>/<Brand>/<Model>/<Revision>/<Locale>/<Version>/<UpdateType>` under
 * `/DeviceUpdateFiles_Int` or `/DeviceUpdateFiles_Ext/~<token>` (the Lync store's layout: the
 * version before the update type).
 */
export interface FolderLocation extends RuleKeyFields {
  version: string;
}

/** One file of a folder: the folder's path and `/<FileName>`. */
export interface FileLocation extends FolderLocation {
  fileName: string;
}

/** A folder's segments in path order. */
export const FOLDER_LOCATION_FIELDS = [
  'deviceType',
  'brand',
  'model',
  'revision',
  'locale',
  'version',
  'updateType',
] as const satisfies readonly (keyof FolderLocation)[];

/** A file's segments in path order. */
export const FILE_LOCATION_FIELDS = [...FOLDER_LOCATION_FIELDS, 'fileName'] as const satisfies readonly (keyof FileLocation)[];

/** Separators and control characters (C0, DEL, C1): nothing a file name or key needs, and all a traversal does. */
const UNSAFE_CHARACTER = /[/\\\x00-\x1F\x7F-\x9F]|\p{Cs}/u;

/** What starts the token segment of an external path (`/~<token>/…`). */
const TOKEN_MARK = '~';

/** Whether a decoded segment can be served: non-empty, not `.` or `..`, no separator or control character. */
function isServableSegment(segment: string): boolean {
  return segment !== '' && segment !== '.' && segment !== '..' && !UNSAFE_CHARACTER.test(segment);
}

function pathOf<T extends FolderLocation>(location: T, fields: readonly (keyof T & string)[]): string {
  return fields
    .map((field) => {
      const segment = location[field] as string;
      if (!isServableSegment(segment)) {
        throw new Error(`file path segment ${field} ${quoteInput(segment)} cannot be served`);
      }
      return `/${encodeURIComponent(segment)}`;
    })
    .join('');
}

/**
 * The folder's path (`BaseURL` and `ExternalBaseURL` end with it), each segment percent-encoded
 * with encodeURIComponent. Throws an Error (a bug of the caller's, never a phone's doing) for a
 * segment parseFilePath would refuse, so every path this builds leads to files the download
 * endpoint serves.
 */
export function folderPath(folder: FolderLocation): string {
  return pathOf(folder, FOLDER_LOCATION_FIELDS);
}

/** The file's path: folderPath and `/<FileName>`, with the same guarantee. */
export function filePath(location: FileLocation): string {
  return pathOf(location, FILE_LOCATION_FIELDS);
}

/** Splits a raw path into its segments, each decoded once; null if any does not decode. */
function decodedSegments(rawPath: string): string[] | null {
  if (typeof rawPath !== 'string' || !rawPath.startsWith('/') || rawPath.includes('?') || rawPath.includes('#')) {
    return null;
  }
  const segments: string[] = [];
  for (const part of rawPath.slice(1).split('/')) {
    try {
      segments.push(decodeURIComponent(part));
    } catch {
      return null;
    }
  }
  return segments;
}

function locationOf(segments: readonly string[]): FileLocation | null {
  if (segments.length !== FILE_LOCATION_FIELDS.length || !segments.every(isServableSegment)) return null;
  const [deviceType, brand, model, revision, locale, version, updateType, fileName] = segments;
  return { deviceType, brand, model, revision, locale, version, updateType, fileName };
}

/**
 * The inverse of filePath for the part of a URL path after `/DeviceUpdateFiles_Int` (or its alias
 * `/RequestHandler/Files`), starting with '/', without the query string. Null (→ 404) unless it is
 * exactly eight segments that each decode, once, to a servable name; `%252e%252e` is thus the
 * literal name `%2e%2e`. Never throws.
 */
export function parseFilePath(rawPath: string): FileLocation | null {
  const segments = decodedSegments(rawPath);
  return segments === null ? null : locationOf(segments);
}

/** An external download path: the token of its first segment (null when there is none) and the file. */
export interface ExternalFilePath {
  token: string | null;
  location: FileLocation | null;
}

/**
 * Reads the part of a URL path after `/DeviceUpdateFiles_Ext` (or `/RequestHandlerExt/Files`):
 * `/~<token>` and then exactly what parseFilePath reads. The first segment is decoded once like
 * every other, so `%7E<token>` is the same segment as `~<token>` (RFC 3986 makes `~` unreserved:
 * some HTTP stacks encode it); `%257E…` decodes to `%7E…`, which is no token. A path whose first
 * segment is no token has `token: null`; a second token segment (`/~a/~b/…`) leaves nine segments,
 * which name no file. Never throws.
 */
export function parseExternalFilePath(rawPath: string): ExternalFilePath {
  const segments = decodedSegments(rawPath);
  if (segments === null) return { token: null, location: null };
  const [first, ...rest] = segments;
  if (!first.startsWith(TOKEN_MARK)) return { token: null, location: locationOf(segments) };
  return { token: first.slice(TOKEN_MARK.length), location: locationOf(rest) };
}

/** The token segment of an external path: `/~<token>` (tokens are URL-safe as they are). */
export function tokenSegment(token: string): string {
  return `/${TOKEN_MARK}${encodeURIComponent(token)}`;
}
