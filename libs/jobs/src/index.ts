export * from './job-contracts';
export * from './job-queues';
export * from './jobs.module';
