import type { RepositoryClass } from './query-layer';

export * from './query-layer';

/**
 * Every repository, provided (and exported) by DatabaseModule to whoever injects it by class.
 * A new repository is one file in this folder and one entry here.
 */
export const REPOSITORIES: RepositoryClass[] = [];
