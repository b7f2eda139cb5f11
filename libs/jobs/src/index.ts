export * from './job-contracts';
export * from './job-queues';
