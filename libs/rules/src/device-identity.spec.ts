import { isValidSerialNumber, normaliseMac } from './device-identity';
import { RuleError, RuleErrorCode } from './rule-error';

describe('normaliseMac', () => {
  it.each([
    ['00-04-F2-AB-CD-EF', '00-04-F2-AB-CD-EF'],
    ['00-04-f2-ab-cd-ef', '00-04-F2-AB-CD-EF'],
    ['00:04:f2:ab:cd:ef', '00-04-F2-AB-CD-EF'],
    ['0004f2abcdef', '00-04-F2-AB-CD-EF'],
    ['0004F2ABCDEF', '00-04-F2-AB-CD-EF'],
    ['00-04-F2-FF-FE-AB-CD-EF', '00-04-F2-FF-FE-AB-CD-EF'],
    ['0004f2fffeabcdef', '00-04-F2-FF-FE-AB-CD-EF'],
    ['01:02:03:04:05:06:07', '01-02-03-04-05-06-07'],
    ['00'.repeat(20), Array(20).fill('00').join('-')],
  ])('stores %j as %j', (text, stored) => {
    expect(normaliseMac(text)).toBe(stored);
  });

  it.each([
    ['', 'it is empty'],
    ['01-02-03-04-05', '5 pairs; at least 6 are needed'],
    ['0102030405', '5 pairs; at least 6 are needed'],
    ['01:02:03:04:05', '5 pairs; at least 6 are needed'],
    ['00'.repeat(21), '21 pairs; at most 20 are allowed'],
    ['0004f2abcde', 'an odd number of hex digits'],
    ['00-04-F2-AB-CD-EG', 'expected hex pairs'],
    ['00-04-F2:AB-CD-EF', 'expected hex pairs'],
    ['0-04-F2-AB-CD-EF', 'expected hex pairs'],
    ['000-4-F2-AB-CD-EF', 'expected hex pairs'],
    ['00-04-F2-AB-CD-EF-', 'expected hex pairs'],
    ['-00-04-F2-AB-CD-EF', 'expected hex pairs'],
    ['00--04-F2-AB-CD-EF', 'expected hex pairs'],
    ['00.04.F2.AB.CD.EF', 'expected hex pairs'],
    ['00 04 F2 AB CD EF', 'expected hex pairs'],
    [' 0004f2abcdef', 'expected hex pairs'],
    ['0004f2abcdef\n', 'expected hex pairs'],
  ])('refuses %j (%s)', (text, why) => {
    let error: unknown;
    try {
      normaliseMac(text);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(RuleError);
    expect((error as RuleError).code).toBe(RuleErrorCode.InvalidMacAddress);
    expect((error as RuleError).message).toContain(why);
  });
});

describe('isValidSerialNumber', () => {
  it.each(['78491-322-0002937', '07823-A345', 'abc_DEF-123', 'X', '0'])('accepts %j', (text) => {
    expect(isValidSerialNumber(text)).toBe(true);
  });

  it.each(['', ' 07823', '07823 ', '078 23', '078.23', '078/23', 'Grüße', '07823\n', '<x>'])('refuses %j', (text) => {
    expect(isValidSerialNumber(text)).toBe(false);
  });
});
