import { HuffmanTable } from './huffman-table';

describe('HuffmanTable', () => {
  it('decodes short codes by lookup and long ones by search', () => {
    // Lengths 1, 2, 3, 4, 5, 6, 6: canonical codes 0, 10, 110, 1110, 11110, 111110, 111111.
    const table = new HuffmanTable(7, 3);
    expect(table.build(Uint8Array.of(1, 2, 3, 4, 5, 6, 6))).toBe('ok');
    const decode = (bits: string): [number, number] => {
      const next16 = parseInt(bits.padEnd(16, '0'), 2);
      const entry = table.lookup[next16 >>> 13] || table.decodeLong(next16);
      return [entry >>> 5, entry & 31];
    };
    expect(decode('0')).toEqual([0, 1]);
    expect(decode('10')).toEqual([1, 2]);
    expect(decode('110')).toEqual([2, 3]);
    expect(decode('1110')).toEqual([3, 4]);
    expect(decode('11110')).toEqual([4, 5]);
    expect(decode('111110')).toEqual([5, 6]);
    expect(decode('111111')).toEqual([6, 6]);
  });

  it('refuses incomplete and over-subscribed codes, and reports an empty one', () => {
    const table = new HuffmanTable(4, 4);
    expect(table.build(Uint8Array.of(1, 0, 0, 0))).toBe('invalid');
    expect(table.build(Uint8Array.of(1, 1, 1, 0))).toBe('invalid');
    expect(table.build(Uint8Array.of(1, 2, 3, 0))).toBe('invalid');
    expect(table.build(Uint8Array.of(0, 0, 0, 0))).toBe('empty');
    expect(table.empty).toBe(true);
    expect(table.build(Uint8Array.of(2, 2, 2, 2))).toBe('ok');
    expect(table.empty).toBe(false);
  });
});
