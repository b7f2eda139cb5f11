import { cell, formatList, formatTable } from './table';

describe('formatTable', () => {
  const columns = [
    { header: 'Id', value: (row: { id: string; version: string | null }) => row.id },
    { header: 'PendingVersion', value: (row: { id: string; version: string | null }) => row.version },
  ];

  it('aligns columns to their widest value or header, with a dashed rule under each header', () => {
    expect(
      formatTable(
        [
          { id: 'a-long-identifier', version: '4.0.7577.4372' },
          { id: 'b', version: null },
        ],
        columns,
      ),
    ).toBe(['Id                PendingVersion', '--                --------------', 'a-long-identifier 4.0.7577.4372', 'b'].join('\n'));
  });

  it('shows the headers alone for no rows', () => {
    expect(formatTable([], columns)).toBe('Id PendingVersion\n-- --------------');
  });
});

describe('formatList', () => {
  it("aligns the colons, as PowerShell's Format-List", () => {
    expect(
      formatList([
        ['Identity', 'global'],
        ['ValidLogFileTypes', ['Watson', 'CELog']],
        ['LogCleanUpTimeOfDay', null],
      ]),
    ).toBe(['Identity            : global', 'ValidLogFileTypes   : Watson, CELog', 'LogCleanUpTimeOfDay :'].join('\n'));
  });
});

describe('cell', () => {
  it.each([
    [null, ''],
    [undefined, ''],
    [42, '42'],
    [false, 'false'],
    [['.dmp', '.clg'], '.dmp, .clg'],
    [{ pending: 'complete' }, '{"pending":"complete"}'],
  ])('shows %j as %j', (value, text) => {
    expect(cell(value)).toBe(text);
  });

  it('replaces control characters, so a value from a package cannot drive the terminal or break a row', () => {
    expect(cell('CX600\u001b[2J\nRev\u0007')).toBe('CX600?[2J?Rev?');
  });
});
