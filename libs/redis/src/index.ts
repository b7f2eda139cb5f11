export * from './create-redis';
export * from './redis.module';
export * from './sentinel-check';
