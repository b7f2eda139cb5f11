import type { DeviceView } from '@ucupdates/admin-api';
import { CX600_DEVICE } from '../../../../../test/support/rule-fixtures';
import { COMPLIANCE_HEADER, complianceRows, INVENTORY_HEADER, inventoryFileName, inventoryRow } from './inventory-csv';

const device: DeviceView = { ...CX600_DEVICE, isTestDevice: true, lastUserId: 'sip:alice@contoso.com' };

describe('the inventory as CSV', () => {
  it('writes a header of named columns and a row per device, modules as UpdateType;Version joined by #', () => {
    expect(INVENTORY_HEADER).toBe(
      'Mac Address,Serial Number,Device Type,Vendor,Model,Revision,Locale,Modules,Test Device,First Seen,Last Seen,Last Node,Last Address,User Id,Id\r\n',
    );
    expect(inventoryRow(device)).toBe(
      '00-04-F2-12-34-56,,UCPhone,Polycom,CX600,A,ENU,CPE;4.0.7577.4366#UCM;4.0.7577.10,yes,2024-05-01T00:00:00.000Z,2024-05-31T08:00:00.000Z,node-1,10.0.0.7,sip:alice@contoso.com,9d2f4b6a-1c3e-4a5b-8c7d-6e5f4a3b2c1d\r\n',
    );
  });

  it('neutralises what a spreadsheet would run, quotes what would split a cell, and escapes the module separators', () => {
    const hostile = { ...device, brand: '=HYPERLINK("http://x")', model: '+1', revision: 'a,b', modules: [{ updateType: 'C;P#E', version: '@1%' }] };
    expect(inventoryRow(hostile)).toMatch(/^00-04-F2-12-34-56,,UCPhone,"'=HYPERLINK\(""http:\/\/x""\)","'\+1","a,b",ENU,C%3BP%23E;@1%25,/);
  });

  it('writes a device behind on two rules as two rows, none installed as an empty cell', () => {
    expect(COMPLIANCE_HEADER).toBe(INVENTORY_HEADER.replace('\r\n', ',Update Type,Installed Version,Offered Version\r\n'));
    const rows = complianceRows(device, [
      { ruleId: 'r1', updateType: 'CPE', installedVersion: '4.0.7577.4366', offeredVersion: '4.0.7577.4372' },
      { ruleId: 'r2', updateType: 'BootROM', installedVersion: null, offeredVersion: '-1' },
    ]).split('\r\n');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/,9d2f4b6a-1c3e-4a5b-8c7d-6e5f4a3b2c1d,CPE,4\.0\.7577\.4366,4\.0\.7577\.4372$/);
    expect(rows[1]).toMatch(/,BootROM,,"'-1"$/);
  });

  it('names the file by the UTC day', () => {
    expect(inventoryFileName('compliance', new Date('2024-05-31T23:59:59Z'))).toBe('ucupdates-compliance-20240531.csv');
  });
});
