export * from './import-replication';
export * from './replication-scheduler';
export * from './replication.module';
