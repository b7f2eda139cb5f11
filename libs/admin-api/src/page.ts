/**
 * Every list of the admin API (admin-api.md): a page of items and the cursor of the next page,
 * null on the last. Lists that are always one page (nodes, configurations) keep the same shape.
 */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** `?limit=` of every list: 100 unless given, 1000 at the most. */
export const PAGE_LIMIT = { default: 100, max: 1000 } as const;
