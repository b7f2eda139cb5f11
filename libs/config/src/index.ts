export * from './config.module';
export * from './config.schema';
export * from './load-config';
export * from './app-version';
export * from './redis-address';
