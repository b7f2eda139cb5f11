import { ERROR_STATUS, errorCodeOfStatus, isErrorCode, STATUS_CODE } from './errors';
import { roleAllows, ROLES } from './roles';

describe('the error table', () => {
  it('answers every code with a 4xx or 5xx status', () => {
    expect(Object.entries(ERROR_STATUS).filter(([, status]) => status < 400 || status > 599)).toEqual([]);
  });

  it('names, for a bare status, a code answered with that same status', () => {
    for (const [status, code] of Object.entries(STATUS_CODE)) {
      expect([code, ERROR_STATUS[code]]).toEqual([code, Number(status)]);
    }
  });

  it('gives a code of the table for any status, the generic one where none fits', () => {
    expect(errorCodeOfStatus(404)).toBe('NotFound');
    expect(errorCodeOfStatus(418)).toBe('ClientError');
    expect(errorCodeOfStatus(502)).toBe('InternalError');
    expect(isErrorCode('NotReplicated')).toBe(true);
    expect(isErrorCode('Http418')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
  });
});

describe('roleAllows', () => {
  it('lets each role do what the roles below it may', () => {
    const allowed = ROLES.flatMap((held) => ROLES.filter((needed) => roleAllows(held, needed)).map((needed) => `${held}>=${needed}`));
    expect(allowed).toEqual(['admin>=admin', 'admin>=operator', 'admin>=viewer', 'operator>=operator', 'operator>=viewer', 'viewer>=viewer']);
  });
});
