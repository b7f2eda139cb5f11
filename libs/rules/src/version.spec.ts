import { RuleError, RuleErrorCode } from './rule-error';
import { compareVersions, isValidVersion, normaliseVersion, parseVersion, sameVersion } from './version';

function thrown(action: () => unknown): RuleError {
  try {
    action();
  } catch (error) {
    return error as RuleError;
  }
  throw new Error('expected a refusal');
}

describe('parseVersion', () => {
  it.each([
    ['4.0.7577.4372', [4, 0, 7577, 4372]],
    ['1', [1]],
    ['1.2', [1, 2]],
    ['0.0.0', [0, 0, 0]],
    ['2147483647.0.0.21474', [2147483647, 0, 0, 21474]],
    ['04.007', [4, 7]],
  ])('reads %j', (text, parts) => {
    expect(parseVersion(text)).toEqual(parts);
    expect(isValidVersion(text)).toBe(true);
  });

  it.each([
    ['', 'it is empty'],
    ['.1', 'it starts with "."'],
    ['1.', 'it ends with "."'],
    ['.', 'it starts with "."'],
    ['1..2', 'part 2 is empty'],
    ['1.2.3.4.5', 'it has 5 parts; at most 4 are allowed'],
    ['+1.2', 'part 1 ("+1") is not a whole number'],
    ['1.-2', 'part 2 ("-2") is not a whole number'],
    [' 1.2', 'part 1 (" 1") is not a whole number'],
    ['1.2 ', 'part 2 ("2 ") is not a whole number'],
    ['1e3', 'part 1 ("1e3") is not a whole number'],
    ['0x10', 'part 1 ("0x10") is not a whole number'],
    ['1.2a', 'part 2 ("2a") is not a whole number'],
    ['v1.2', 'part 1 ("v1") is not a whole number'],
    ['1,2', 'part 1 ("1,2") is not a whole number'],
    ['١.٢', 'part 1 ("١") is not a whole number'],
    ['2147483648', 'part 1 is above 2147483647'],
    ['1.9999999999', 'part 2 is above 2147483647'],
    ['1.2.3.123456789012345', 'it has 21 characters; at most 20 are allowed'],
    ['2147483647.0.0.2147483647', 'it has 25 characters; at most 20 are allowed'],
  ])('refuses %j (%s)', (text, why) => {
    expect(isValidVersion(text)).toBe(false);
    const error = thrown(() => parseVersion(text));
    expect(error).toBeInstanceOf(RuleError);
    expect(error.code).toBe(RuleErrorCode.InvalidVersion);
    expect(error.message).toBe(`${JSON.stringify(text)} is not a version: ${why}`);
  });

  it('quotes only the start of a huge refused input', () => {
    const huge = `${'9'.repeat(100000)}x`;
    expect(() => parseVersion(huge)).toThrow(/^"9{40}…" is not a version/);
  });
});

describe('normaliseVersion', () => {
  it.each([
    ['4.0.7577.4372', '4.0.7577.4372'],
    ['4.0.07577.0004372', '4.0.7577.4372'],
    ['1.2', '1.2'],
    ['1.2.0', '1.2.0'],
    ['00', '0'],
  ])('stores %j as %j', (text, stored) => {
    expect(normaliseVersion(text)).toBe(stored);
  });

  it('refuses what parseVersion refuses', () => {
    expect(() => normaliseVersion('1..2')).toThrow(RuleError);
  });
});

describe('compareVersions', () => {
  it.each([
    ['1.2', '1.2', 0],
    ['1.2', '1.2.0', 0],
    ['1.2.0.0', '1.2', 0],
    ['1.02', '1.2', 0],
    ['1.2', '1.10', -1],
    ['1.10', '1.9', 1],
    ['4.0.7577.4366', '4.0.7577.4372', -1],
    ['4.0.7577.4372', '4.0.7577.4366', 1],
    ['2', '1.99.99.99', 1],
    ['1.2', '1.2.0.1', -1],
    ['1.2.0.1', '1.2', 1],
    ['0', '2147483647', -1],
  ])('%j vs %j is %i', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
    expect(compareVersions(b, a)).toBe(-expected || 0);
  });

  it('throws on an invalid version on either side', () => {
    expect(() => compareVersions('1.2', 'x')).toThrow(RuleError);
    expect(() => compareVersions('', '1')).toThrow(RuleError);
  });
});

describe('sameVersion', () => {
  it.each([
    [null, null, true],
    ['1.2', null, false],
    [null, '1.2', false],
    ['1.2', '1.2.0', true],
    ['1.2', '1.3', false],
    ['abc', 'abc', true],
    ['abc', '1.2', false],
    ['1.2', '', false],
  ])('%j and %j: %s', (a, b, expected) => {
    expect(sameVersion(a, b)).toBe(expected);
  });
});
