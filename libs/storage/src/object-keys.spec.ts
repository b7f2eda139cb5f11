import { ObjectKeys } from './object-keys';

describe('object keys', () => {
  const sha256 = 'ab'.repeat(32);

  it('addresses packages and files by their content', () => {
    expect(ObjectKeys.package(sha256)).toBe(`packages/${sha256}`);
    expect(ObjectKeys.file(sha256)).toBe(`files/${sha256}`);
    expect(ObjectKeys.upload('0f8fad5b-d9cb-469f-a165-70867728950e')).toBe('uploads/0f8fad5b-d9cb-469f-a165-70867728950e');
  });

  it('groups device logs by their UTC day', () => {
    const at = new Date('2026-03-04T23:30:00-05:00'); // already the 5th in UTC
    expect(ObjectKeys.deviceLog('id-1', at)).toBe('logs/2026/03/05/id-1');
  });
});
