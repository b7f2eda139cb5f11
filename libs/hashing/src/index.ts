export * from './off-thread-digest';
export * from './write-and-digest';
