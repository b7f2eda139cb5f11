export * from './off-thread-digest';
