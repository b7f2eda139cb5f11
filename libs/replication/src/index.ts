export * from './replication-scheduler';
export * from './replication.module';
export * from './scrub-pace';
