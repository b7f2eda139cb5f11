import { auditRequestId, deviceKey } from './request-audit.repository';

describe('request audit ids and device keys', () => {
  it('keeps a UUID request id and makes a stable UUID of any other', () => {
    expect(auditRequestId('0F8FAD5B-D9CB-469F-A165-70867728950E')).toBe('0f8fad5b-d9cb-469f-a165-70867728950e');
    const made = auditRequestId('haproxy-0001');
    expect(made).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(auditRequestId('haproxy-0001')).toBe(made);
    expect(auditRequestId('haproxy-0002')).not.toBe(made);
  });

  it('keys a device by its MAC address, else its serial number', () => {
    expect(deviceKey('00-04-F2-AB-CD-EF', 'SN-1')).toBe('mac:00-04-F2-AB-CD-EF');
    expect(deviceKey(null, 'SN-1')).toBe('serial:SN-1');
  });
});
