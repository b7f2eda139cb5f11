import type { DataSource, EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import type { QueryLayer } from './query-layer';

/** A repository bound to the transaction at hand: `await tx(this.rules).lock(id)`. */
export type Transaction = <R extends QueryLayer>(repository: R) => R;

/**
 * The one way to run statements in a transaction: the work gets `tx`, which binds any repository
 * to it; services never hold an EntityManager. Commits when the work resolves, rolls back when it
 * throws.
 */
export class Transactions {
  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (tx: Transaction) => Promise<T>, isolation?: IsolationLevel): Promise<T> {
    const body = (manager: EntityManager) => work(<R extends QueryLayer>(repository: R) => repository.in(manager));
    return isolation === undefined ? this.dataSource.transaction(body) : this.dataSource.transaction(isolation, body);
  }
}
