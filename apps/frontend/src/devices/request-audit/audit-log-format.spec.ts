import { importCsv, parseCsv } from '../../../../../test/support/import-csv';
import { AUDIT_LOG_HEADER, type AuditLogEntry, auditLogFileName, auditLogRow, csvCell, moduleField } from './audit-log-format';

const entry: AuditLogEntry = {
  at: '2026-11-27T08:00:00.123Z',
  nodeId: 'node-a',
  address: '10.0.0.7',
  deviceType: 'UCPhone',
  macAddress: '00-04-F2-AB-CD-EF',
  serialNumber: null,
  vendor: 'Polycom',
  model: 'CX600',
  revision: 'A',
  locale: 'ENU',
  requestModules: [
    { filename: 'CPE.nbt', version: '4.0.7577.4366', timestamp: '2026-11-27T08:00:00Z' },
    { filename: 'UCM.nbt', version: '4.0.7577.10', timestamp: null },
  ],
  responseModules: [{ filename: 'CPE.nbt', signatureFilename: 'CPE.cat', version: '4.0.7577.4372', timestamp: '2026-11-27T08:00:01Z' }],
  userId: 'sip:alice@contoso.com',
  external: false,
  status: 200,
};

describe("Lync's request audit file", () => {
  it("has a header row of Lync's column names, in Lync's order, then ucupdates' own", () => {
    expect(AUDIT_LOG_HEADER).toBe(
      'Logging DateTime,User Host Address,Device Type,Mac Address,Serial Number,Vendor,Model,Revision,Locale,' +
        'Request Modules,Response Modules,User Id,Listener,Status,Node\r\n',
    );
  });

  it('writes a check as one CRLF-terminated row, modules as Filename;Version;Timestamp joined by #', () => {
    expect(auditLogRow(entry)).toBe(
      '2026-11-27T08:00:00.123Z,10.0.0.7,UCPhone,00-04-F2-AB-CD-EF,,Polycom,CX600,A,ENU,' +
        'CPE.nbt;4.0.7577.4366;2026-11-27T08:00:00Z#UCM.nbt;4.0.7577.10;,' +
        'CPE.nbt;CPE.cat;4.0.7577.4372;2026-11-27T08:00:01Z,' +
        'sip:alice@contoso.com,internal,200,node-a\r\n',
    );
  });

  it('names files as Lync did', () => {
    expect(auditLogFileName('node-1', '2024-05-31')).toBe('RequestHandlerAuditLog_node-1_20240531.log');
  });

  it('reads back by column name as Import-Csv does', () => {
    const [row] = importCsv(AUDIT_LOG_HEADER + auditLogRow({ ...entry, requestModules: [], responseModules: [], userId: null, external: true, status: 401 }));
    expect(row).toEqual({
      'Logging DateTime': '2026-11-27T08:00:00.123Z',
      'User Host Address': '10.0.0.7',
      'Device Type': 'UCPhone',
      'Mac Address': '00-04-F2-AB-CD-EF',
      'Serial Number': '',
      Vendor: 'Polycom',
      Model: 'CX600',
      Revision: 'A',
      Locale: 'ENU',
      'Request Modules': '',
      'Response Modules': '',
      'User Id': '',
      Listener: 'external',
      Status: '401',
      Node: 'node-a',
    });
  });

  it.each([
    ['a comma', 'Poly,com'],
    ['a quote', 'CX "600"'],
    ['a line break', 'line 1\r\nline 2\nline 3\r'],
    ['all three', '"a",\n"b"'],
    ['non-ASCII text', 'Téléphone ☎'],
  ])('round-trips a field holding %s', (_name, value) => {
    const text = AUDIT_LOG_HEADER + auditLogRow({ ...entry, model: value, userId: value }) + auditLogRow(entry);
    const rows = importCsv(text);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ Model: value, 'User Id': value, Revision: 'A', Node: 'node-a' });
    expect(rows[1]).toMatchObject({ Model: 'CX600' });
  });

  it.each(['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1'])(
    'neutralises %j so a spreadsheet shows it as text',
    (value) => {
      const cell = csvCell(value);
      expect(cell.startsWith('"\'')).toBe(true);
      const [row] = importCsv(AUDIT_LOG_HEADER + auditLogRow({ ...entry, vendor: value }));
      expect(row.Vendor).toBe(`'${value}`);
      expect(row.Vendor).not.toMatch(/^[=+\-@\t\r]/);
    },
  );

  it('neutralises a module field that starts like a formula, and keeps separators inside modules decodable', () => {
    const row = auditLogRow({
      ...entry,
      requestModules: [{ filename: '=cmd|x;y#z%.nbt', version: '1,2', timestamp: 'a\r\nb' }],
      responseModules: [],
    });
    const [parsed] = importCsv(AUDIT_LOG_HEADER + row);
    const cell = parsed['Request Modules'] as string;
    expect(cell.startsWith("'=")).toBe(true);
    const modules = cell.slice(1).split('#');
    expect(modules).toHaveLength(1);
    expect(modules[0].split(';').map(decodeURIComponent)).toEqual(['=cmd|x;y#z%.nbt', '1,2', 'a\r\nb']);
    expect(moduleField('a;b#c%d\u2028')).toBe('a%3Bb%23c%25d%E2%80%A8');
  });

  it('has as many cells in every row as in the header', () => {
    const records = parseCsv(AUDIT_LOG_HEADER + auditLogRow({ ...entry, model: ',,,', locale: '"\n"' }));
    expect(records.map((record) => record.length)).toEqual([15, 15]);
  });
});
