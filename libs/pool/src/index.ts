export * from './graceful-shutdown';
export * from './pool-membership';
export * from './pool-nodes.service';
export * from './journal-heartbeat';
