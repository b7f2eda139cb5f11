/** What a `Range` header asks of a file of a given size. `start` and `end` are inclusive byte offsets. */
export type RangeRequest = { kind: 'whole' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

const WHOLE: RangeRequest = { kind: 'whole' };
const UNSATISFIABLE: RangeRequest = { kind: 'unsatisfiable' };

/**
 * Reads one `Range` header (RFC 9110 §14) against a file of `size` bytes.
 *
 * - No header, another unit (`items=0-1`), a header that does not parse, or several ranges: the
 *   whole file (200). The spec allows several ranges to be answered with the whole file, and a
 *   Range a server does not understand is ignored.
 * - `bytes=a-b` (end clamped to the last byte), `bytes=a-` and the suffix `bytes=-n`: one range (206).
 * - Unsatisfiable (416): a start at or past the end of the file, `bytes=-0`, and a last byte before
 *   the first (`bytes=500-100`), which RFC 9110 calls invalid; like nginx we refuse it rather than
 *   send a whole file the client did not ask for.
 * - An empty file has no byte to send: any `a-b`/`a-` range is unsatisfiable, and `-n` (which
 *   RFC 9110 counts as satisfiable) is answered with the whole, empty, file.
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return WHOLE;
  const unit = /^\s*bytes\s*=(.*)$/i.exec(header);
  if (!unit) return WHOLE;
  // RFC 9110 lists allow empty elements and blanks around them.
  const ranges = unit[1]
    .split(',')
    .map((range) => range.trim())
    .filter((range) => range !== '');
  if (ranges.length !== 1) return WHOLE;
  const range = /^([0-9]*)-([0-9]*)$/.exec(ranges[0]);
  if (!range || (range[1] === '' && range[2] === '')) return WHOLE;
  const last = size - 1;
  if (range[1] === '') {
    const suffix = Number(range[2]);
    if (suffix === 0) return UNSATISFIABLE;
    if (size === 0) return WHOLE;
    return { kind: 'partial', start: Math.max(0, size - suffix), end: last };
  }
  const start = Number(range[1]);
  const end = range[2] === '' ? last : Number(range[2]);
  if (end < start || start >= size) return UNSATISFIABLE;
  return { kind: 'partial', start, end: Math.min(end, last) };
}
