import { SetMetadata } from '@nestjs/common';
import { Role } from '@ucupdates/database';

const RANK: Record<Role, number> = { [Role.Viewer]: 1, [Role.Operator]: 2, [Role.Admin]: 3 };

/** admin may do what operator may, operator what viewer may. */
export function roleAllows(held: Role, needed: Role): boolean {
  return RANK[held] >= RANK[needed];
}

export const REQUIRED_ROLE = 'ucupdates:required-role';
export const PUBLIC_ROUTE = 'ucupdates:public-route';

/** The least role a route needs. Routes of the internal listener need a token unless `@Public()`. */
export const RequireRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);

/** Health, readiness and metrics: answered without a token. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
