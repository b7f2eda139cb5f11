/**
 * The roles of admin API tokens, most first (admin-api.md): `admin` may do what `operator` may,
 * `operator` what `viewer` may.
 */
export const ROLES = ['admin', 'operator', 'viewer'] as const;

export type Role = (typeof ROLES)[number];

/** Whether a token of role `held` may call a route that needs `needed`. */
export function roleAllows(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) <= ROLES.indexOf(needed);
}

export function isRole(value: unknown): value is Role {
  return ROLES.some((role) => role === value);
}
