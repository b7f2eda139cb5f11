import type { TimeKey } from '@ucupdates/database';
import { badCursor, decodeCursor, encodeCursor } from './pagination';

/**
 * A cursor on (a timestamptz column, an id) for lists ordered newest first.
 *
 * The time travels as whole microseconds since 1970 (Postgres keeps microseconds, a JS Date only
 * milliseconds, so a millisecond cursor would skip or repeat rows written within one millisecond).
 * Unlike the text Postgres prints, a number can be checked here completely: a forged cursor is a
 * 400 naming `cursor`, never a cast error from the database.
 */
export type TimeCursor = TimeKey;

/** Postgres' timestamptz range in microseconds is far inside ±2^62; this bounds the digits. */
const MICROS = /^-?\d{1,17}$/;

export function encodeTimeCursor(cursor: TimeCursor): string {
  return encodeCursor([cursor.micros, cursor.id]);
}

/** The cursor's parts, the id checked by `isId` (what the id column holds); anything else is a 400 naming `cursor`. */
export function decodeTimeCursor(cursor: string, isId: (text: string) => boolean): TimeCursor {
  const [micros, id] = decodeCursor(cursor, 2);
  if (!MICROS.test(micros) || !isId(id)) {
    throw badCursor();
  }
  return { micros, id };
}

const BIGINT_MAX = 2n ** 63n - 1n;

/** An identity column's value: a positive bigint. */
export const isBigintId = (text: string): boolean => /^\d{1,19}$/.test(text) && BigInt(text) <= BIGINT_MAX;

export const isUuid = (text: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(text);
