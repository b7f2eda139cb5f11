export * from './graceful-shutdown';
export * from './node-status';
export * from './pool-membership';
export * from './pool-nodes.service';
