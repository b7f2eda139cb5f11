import { compareVersions, percent, versionDistribution } from './inventory-chart';
import { explain, fieldOf } from './errors';

describe('the inventory chart', () => {
  it('counts devices per model and update type, newest version first, biggest group first', () => {
    const count = (model: string, updateType: string, version: string, devices: number) => ({ brand: 'Polycom', model, updateType, version, devices });
    expect(
      versionDistribution([
        count('CX600', 'CPE', '4.0.7577.9', 1),
        count('CX600', 'CPE', '4.0.7577.10', 2),
        count('CX600', 'UCM', '1.0', 1),
        count('CX700', 'CPE', '4.0.7577.10', 1),
      ]),
    ).toEqual([
      { label: 'Polycom CX600 — CPE', total: 3, versions: [{ version: '4.0.7577.10', count: 2 }, { version: '4.0.7577.9', count: 1 }] },
      { label: 'Polycom CX600 — UCM', total: 1, versions: [{ version: '1.0', count: 1 }] },
      { label: 'Polycom CX700 — CPE', total: 1, versions: [{ version: '4.0.7577.10', count: 1 }] },
    ]);
  });

  it('says a share in percent, and nothing of nothing', () => {
    expect(percent(7000, 8000)).toBe('87.5 %');
    expect(percent(0, 0)).toBe('—');
  });

  it('compares dotted versions by number where the parts are numbers', () => {
    expect(compareVersions('4.0.7577.10', '4.0.7577.9')).toBe(1);
    expect(compareVersions('1.2', '1.2.0')).toBe(-1);
    expect(compareVersions('1.2.3', '1.2.3')).toBe(0);
    expect(compareVersions('1.b', '1.a')).toBe(1);
  });
});

describe("the API's refusals in words", () => {
  it('lists the nodes and files a NotReplicated refusal names', () => {
    const explained = explain({
      code: 'NotReplicated',
      message: 'version 4.0 is not on every active node yet (node-2)',
      details: { version: '4.0', nodes: { 'node-2': ['CPE.nbt', 'CPE.cat'] } },
    });
    expect(explained.title).toBe('Not on every node yet');
    expect(explained.message).toContain('(version 4.0 is not on every active node yet (node-2))');
    expect(explained.missing).toEqual([{ nodeId: 'node-2', files: ['CPE.nbt', 'CPE.cat'] }]);
  });

  it("keeps the API's message for codes it has no words of its own for, and finds the field a 400 names", () => {
    expect(explain({ code: 'TooManyRequests', message: 'as the API said', details: null })).toEqual({ title: 'TooManyRequests', message: 'as the API said' });
    expect(fieldOf({ details: { field: 'identifier' } })).toBe('identifier');
    expect(fieldOf({ details: null })).toBeNull();
  });
});
