/**
 * Keyset paging on (a timestamptz column, an id). The time travels as whole microseconds since
 * 1970, as decimal digits (Postgres keeps microseconds, a JS Date only milliseconds).
 */
export interface TimeKey {
  micros: string;
  id: string;
}

/** SQL for a timestamptz column as microseconds since 1970, exact (extract gives a numeric since Postgres 14). */
export const micros = (column: string): string => `(extract(epoch FROM ${column}) * 1000000)::bigint::text`;

/** SQL for the timestamptz a `micros` parameter stands for. */
export const fromMicros = (parameter: string): string => `('epoch'::timestamptz + ${parameter}::bigint * interval '1 microsecond')`;
