// Entry point for the TypeORM CLI (`npm run migration:*`): the same data source the apps use.
import { loadDatabaseUrl } from '@ucupdates/config';
import { createDataSource } from './data-source';

export default createDataSource(loadDatabaseUrl(), 'ucupdates-cli');
