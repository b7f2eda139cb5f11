import { SetMetadata } from '@nestjs/common';
import { Role } from '@ucupdates/database';

/** admin may do what operator may, operator what viewer may (the contract's order of ROLES). */
export { roleAllows } from '@ucupdates/admin-api';

export const REQUIRED_ROLE = 'ucupdates:required-role';
export const PUBLIC_ROUTE = 'ucupdates:public-route';

/** The least role a route needs. Routes of the internal listener need a token unless `@Public()`. */
export const RequireRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);

/** Health, readiness and metrics: answered without a token. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
