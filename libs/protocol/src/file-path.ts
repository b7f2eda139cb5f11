import type { RuleKeyFields } from '@ucupdates/rules';
import { quoteInput } from './protocol-error';

/**
 * Where phones download a file: `/<DeviceType>/<Brand>/<Model>/<Revision>/<Locale>/<UpdateType>/<Version>/<FileName>`
 * under `/DeviceUpdateFiles_Int` or `/DeviceUpdateFiles_Ext`.
 */
export interface FileLocation extends RuleKeyFields {
  version: string;
  fileName: string;
}

/** The segments in path order. */
export const FILE_LOCATION_FIELDS = [
  'deviceType',
  'brand',
  'model',
  'revision',
  'locale',
  'updateType',
  'version',
  'fileName',
] as const satisfies readonly (keyof FileLocation)[];

/** Separators and control characters (C0, DEL, C1): nothing a file name or key needs, and all a traversal does. */
const UNSAFE_CHARACTER = /[/\\\x00-\x1F\x7F-\x9F]|\p{Cs}/u;

/** Whether a decoded segment can be served: non-empty, not `.` or `..`, no separator or control character. */
function isServableSegment(segment: string): boolean {
  return segment !== '' && segment !== '.' && segment !== '..' && !UNSAFE_CHARACTER.test(segment);
}

/**
 * The file's path, each segment percent-encoded with encodeURIComponent. Throws an Error (a bug of
 * the caller's, never a phone's doing) for a segment that parseFilePath would refuse, so every path
 * this builds is one the download endpoint serves.
 */
export function filePath(location: FileLocation): string {
  return FILE_LOCATION_FIELDS.map((field) => {
    const segment = location[field];
    if (!isServableSegment(segment)) {
      throw new Error(`file path segment ${field} ${quoteInput(segment)} cannot be served`);
    }
    return `/${encodeURIComponent(segment)}`;
  }).join('');
}

/**
 * The inverse of filePath for the part of a URL path after `/DeviceUpdateFiles_Int` or `_Ext`
 * (starting with '/', without the query string). Null (→ 404) unless it is exactly eight segments
 * that each decode, once, to a servable name; `%252e%252e` is thus the literal name `%2e%2e`.
 * Never throws.
 */
export function parseFilePath(rawPath: string): FileLocation | null {
  if (typeof rawPath !== 'string' || !rawPath.startsWith('/') || rawPath.includes('?') || rawPath.includes('#')) {
    return null;
  }
  const raw = rawPath.slice(1).split('/');
  if (raw.length !== FILE_LOCATION_FIELDS.length) return null;
  const segments: string[] = [];
  for (const part of raw) {
    let segment: string;
    try {
      segment = decodeURIComponent(part);
    } catch {
      return null;
    }
    if (!isServableSegment(segment)) return null;
    segments.push(segment);
  }
  const [deviceType, brand, model, revision, locale, updateType, version, fileName] = segments;
  return { deviceType, brand, model, revision, locale, updateType, version, fileName };
}
