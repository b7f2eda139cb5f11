import { ruleKey, ruleKeyText } from './rule-key';

const key = (parts: string[]) => ruleKey(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]);

describe('ruleKey', () => {
  it('ignores case, as the citext key columns do', () => {
    expect(ruleKey('UCPhone', 'Polycom', 'CX600', 'A', 'ENU', 'CPE')).toBe(
      ruleKey('ucphone', 'POLYCOM', 'cx600', 'a', 'enu', 'cpe'),
    );
  });

  it('tells apart every attribute', () => {
    const base = ['UCPhone', 'Polycom', 'CX600', 'A', 'ENU', 'CPE'];
    const keys = new Set([key(base)]);
    for (let i = 0; i < base.length; i++) {
      keys.add(key(base.map((part, j) => (i === j ? `${part}x` : part))));
    }
    expect(keys.size).toBe(base.length + 1);
  });

  it.each([
    [
      ['a|b', 'c', 'd', 'e', 'f', 'g'],
      ['a', 'b|c', 'd', 'e', 'f', 'g'],
    ],
    [
      ['a","b', 'c', 'd', 'e', 'f', 'g'],
      ['a', 'b","c', 'd', 'e', 'f', 'g'],
    ],
    [
      ['a\u0000b', 'c', 'd', 'e', 'f', 'g'],
      ['a', 'b\u0000c', 'd', 'e', 'f', 'g'],
    ],
    [
      ['', 'x', 'd', 'e', 'f', 'g'],
      ['x', '', 'd', 'e', 'f', 'g'],
    ],
  ])('does not confuse %j with %j', (a, b) => {
    expect(key(a)).not.toBe(key(b));
  });

  it('takes values as given: surrounding blanks count', () => {
    expect(key(['UCPhone', 'Polycom', 'CX600', 'A', 'ENU', 'CPE'])).not.toBe(
      key(['UCPhone ', 'Polycom', 'CX600', 'A', 'ENU', 'CPE']),
    );
  });
});

describe('ruleKeyText', () => {
  it("names a rule as Lync's administrators write it", () => {
    expect(ruleKeyText({ deviceType: 'UCPhone', brand: 'Polycom', model: 'CX600', revision: 'A', locale: 'ENU', updateType: 'CPE' })).toBe(
      'UCPhone/Polycom/CX600/A/ENU/CPE',
    );
  });
});
