import { escapeField, requestAuditLine } from './request-audit-log';
import type { RequestAuditView } from './request-audit-view';

const entry: RequestAuditView = {
  id: '1',
  requestId: '0b8d7c6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e',
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

describe('the request audit log line', () => {
  it("writes Lync's fields in Lync's order, then external, status and node", () => {
    expect(requestAuditLine(entry)).toBe(
      '2026-11-27T08:00:00.123Z;10.0.0.7;UCPhone;00-04-F2-AB-CD-EF;;Polycom;CX600;A;ENU;' +
        'CPE.nbt,4.0.7577.4366,2026-11-27T08:00:00Z#UCM.nbt,4.0.7577.10,;' +
        'CPE.nbt,CPE.cat,4.0.7577.4372,2026-11-27T08:00:01Z;' +
        'sip:alice@contoso.com;internal;200;node-a\n',
    );
  });

  it('leaves module fields empty when there are no modules, and the user id when there is none', () => {
    const line = requestAuditLine({ ...entry, requestModules: [], responseModules: [], userId: null, external: true, status: 401 });
    expect(line.trimEnd().split(';').slice(9)).toEqual(['', '', '', 'external', '401', 'node-a']);
  });

  it('escapes what would break the layout, reversibly', () => {
    const nasty = 'a;b#c,d%e\nf\r\tg\u2028h\u0085i é';
    expect(escapeField(nasty)).toBe('a%3Bb%23c%2Cd%25e%0Af%0D%09g%E2%80%A8h%C2%85i é');
    expect(decodeURIComponent(escapeField(nasty))).toBe(nasty);
    const line = requestAuditLine({ ...entry, model: nasty, requestModules: [{ filename: 'x;y#z', version: '1,2', timestamp: null }] });
    expect(line.split('\n')).toHaveLength(2);
    const fields = line.trimEnd().split(';');
    expect(fields).toHaveLength(15);
    expect(decodeURIComponent(fields[6])).toBe(nasty);
    expect(fields[9].split('#').map((module) => module.split(',').map(decodeURIComponent))).toEqual([['x;y#z', '1,2', '']]);
  });
});
