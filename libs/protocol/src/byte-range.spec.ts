import { parseRange, type RangeRequest } from './byte-range';

const whole: RangeRequest = { kind: 'whole' };
const unsatisfiable: RangeRequest = { kind: 'unsatisfiable' };
const partial = (start: number, end: number): RangeRequest => ({ kind: 'partial', start, end });

describe('parseRange', () => {
  it.each<[string | undefined, number, RangeRequest]>([
    // one range
    ['bytes=0-0', 10_000, partial(0, 0)],
    ['bytes=0-499', 10_000, partial(0, 499)],
    ['bytes=500-999', 10_000, partial(500, 999)],
    ['bytes=9999-9999', 10_000, partial(9999, 9999)],
    ['bytes=-500', 10_000, partial(9500, 9999)],
    ['bytes=9500-', 10_000, partial(9500, 9999)],
    ['bytes=0-', 10_000, partial(0, 9999)],
    ['bytes=-10000', 10_000, partial(0, 9999)],
    ['bytes=-99999999', 10_000, partial(0, 9999)],
    ['bytes=0-99999999', 10_000, partial(0, 9999)],
    [`bytes=0-${'9'.repeat(400)}`, 10_000, partial(0, 9999)],
    ['bytes=00010-00020', 10_000, partial(10, 20)],
    ['Bytes=1-2', 10_000, partial(1, 2)],
    [' bytes = 1-2 ', 10_000, partial(1, 2)],
    ['bytes=1-2,', 10_000, partial(1, 2)],
    ['bytes=, 1-2', 10_000, partial(1, 2)],
    ['bytes=0-0', 1, partial(0, 0)],
    ['bytes=-1', 1, partial(0, 0)],
    // unsatisfiable
    ['bytes=10000-', 10_000, unsatisfiable],
    ['bytes=10000-10001', 10_000, unsatisfiable],
    ['bytes=20000-30000', 10_000, unsatisfiable],
    [`bytes=${'9'.repeat(400)}-`, 10_000, unsatisfiable],
    ['bytes=500-100', 10_000, unsatisfiable],
    ['bytes=-0', 10_000, unsatisfiable],
    ['bytes=1-0', 10_000, unsatisfiable],
    // an empty file
    ['bytes=0-0', 0, unsatisfiable],
    ['bytes=0-', 0, unsatisfiable],
    ['bytes=-0', 0, unsatisfiable],
    ['bytes=-500', 0, whole],
    [undefined, 0, whole],
    // the whole file
    [undefined, 10_000, whole],
    ['', 10_000, whole],
    ['bytes=0-1,5-6', 10_000, whole],
    ['bytes=0-1, 20000-30000', 10_000, whole],
    ['bytes=0-1,0-1', 10_000, whole],
    ['items=0-1', 10_000, whole],
    ['bytes 0-1', 10_000, whole],
    ['bytes=', 10_000, whole],
    ['bytes=-', 10_000, whole],
    ['bytes=abc', 10_000, whole],
    ['bytes=1-2-3', 10_000, whole],
    ['bytes=0x10-0x20', 10_000, whole],
    ['bytes=1.5-2', 10_000, whole],
    ['bytes=+1-2', 10_000, whole],
    ['bytes=1 - 2', 10_000, whole],
    ['bytes=1-2 junk', 10_000, whole],
    ['bytesx=1-2', 10_000, whole],
  ])('reads %j against %d bytes', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });

  it('never answers a range past the last byte', () => {
    for (let size = 0; size < 20; size++) {
      for (const header of ['bytes=0-', 'bytes=-5', 'bytes=3-100', 'bytes=5-7', 'bytes=19-']) {
        const range = parseRange(header, size);
        if (range.kind === 'partial') {
          expect(range.start).toBeGreaterThanOrEqual(0);
          expect(range.start).toBeLessThanOrEqual(range.end);
          expect(range.end).toBeLessThan(size);
        }
      }
    }
  });
});
