export * from './import-state';
