export * from './replication-scheduler';
export * from './replication.module';
