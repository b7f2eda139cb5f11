import type { Config } from '@ucupdates/config';
import type { DataSource } from 'typeorm';
import type { QueryLayer } from './query-layer';
import { Transactions } from './transactions';

/**
 * Every repository of one database, made once each on its connection pool, and the transactions
 * helper: what DatabaseModule provides from, and what code built outside Nest (the worker's job
 * handlers, tests, benchmarks) is given.
 */
export class Repositories {
  readonly transactions: Transactions;
  private readonly made = new Map<new (...args: never[]) => QueryLayer, QueryLayer>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: Config,
  ) {
    this.transactions = new Transactions(dataSource);
  }

  get<R extends QueryLayer>(repository: new (manager: DataSource['manager'], config: Config) => R): R {
    let made = this.made.get(repository);
    if (!made) {
      made = new repository(this.dataSource.manager, this.config);
      this.made.set(repository, made);
    }
    return made as R;
  }
}
