import type { Config } from '@ucupdates/config';
import type { EntityManager } from 'typeorm';

/**
 * The base of every repository: the one place SQL lives (style.md item 12). Services ask a
 * repository for what they need by name (`replicationStatus(versionIds)`, `activeNodes()`);
 * controllers, guards and services never hold a `DataSource` or write SQL.
 *
 * A repository runs its statements on the connection pool, or inside a transaction once bound to
 * it with `in(manager)`: `await rules.in(manager).lockById(id)`. Binding copies nothing but the
 * manager, so settings a repository was made with (the configuration) stay.
 */
export abstract class QueryLayer {
  constructor(
    protected readonly manager: EntityManager,
    protected readonly config: Config,
  ) {}

  /** The same repository, its statements inside the transaction of `manager`. */
  in(manager: EntityManager): this {
    const bound = Object.create(this) as this;
    Object.defineProperty(bound, 'manager', { value: manager });
    return bound;
  }
}

/** How DatabaseModule makes each repository: on the pool's manager, with the configuration. */
export type RepositoryClass = new (manager: EntityManager, config: Config) => QueryLayer;
