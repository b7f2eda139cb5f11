import { z } from 'zod';

/** A scope of test devices and configuration: `global` or `site:<name>` (admin-api.md). */
export const scope = z
  .string()
  .regex(/^(global|site:[A-Za-z0-9][A-Za-z0-9._-]{0,62})$/i, 'must be "global" or "site:<name>"')
  .transform((value) => (value.toLowerCase() === 'global' ? 'global' : `site:${value.slice(5)}`));
