import { Role } from '@ucupdates/database';
import { roleAllows } from './roles';

describe('roleAllows', () => {
  it.each([
    [Role.Admin, Role.Admin, true],
    [Role.Admin, Role.Operator, true],
    [Role.Admin, Role.Viewer, true],
    [Role.Operator, Role.Admin, false],
    [Role.Operator, Role.Operator, true],
    [Role.Operator, Role.Viewer, true],
    [Role.Viewer, Role.Admin, false],
    [Role.Viewer, Role.Operator, false],
    [Role.Viewer, Role.Viewer, true],
  ])('%s may do what needs %s: %s', (held, needed, allowed) => {
    expect(roleAllows(held, needed)).toBe(allowed);
  });
});
