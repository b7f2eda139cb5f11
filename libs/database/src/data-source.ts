import { DataSource, type DataSourceOptions } from 'typeorm';
import { entities } from './entities';
import { migrations } from './migrations';

/**
 * The one data source of ucupdates, for the apps, the migration step and the TypeORM CLI.
 * The schema is changed by reviewed migrations only (`synchronize: false`).
 */
export function dataSourceOptions(databaseUrl: string, applicationName = 'ucupdates'): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities,
    migrations,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    uuidExtension: 'pgcrypto',
    applicationName,
    extra: {
      max: 10,
      // Fail fast when Postgres is unreachable; callers decide whether to retry.
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    },
  };
}

export function createDataSource(databaseUrl: string, applicationName?: string): DataSource {
  return new DataSource(dataSourceOptions(databaseUrl, applicationName));
}
