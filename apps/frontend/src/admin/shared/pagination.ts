import { ApiError } from '../../errors/api-error';
import { isStorableText } from './request-input';

/**
 * Cursors are opaque to clients: the sort key of the last item of a page, so the next page
 * starts after it however many rows were added meanwhile.
 */
export function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** The parts of a cursor this API gave: `count` strings. Anything else is a 400 naming `cursor`. */
export function decodeCursor(cursor: string, count: number): string[] {
  let parts: unknown = null;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    // not even JSON: refused below
  }
  if (!Array.isArray(parts) || parts.length !== count || !parts.every((part) => typeof part === 'string' && isStorableText(part))) {
    throw badCursor();
  }
  return parts as string[];
}

export function badCursor(): ApiError {
  return new ApiError('BadRequest', 'cursor: is not a cursor this API gave', { field: 'cursor' });
}
