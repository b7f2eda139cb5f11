export * from './minio-object-storage';
export * from './object-keys';
export * from './object-storage';
export * from './storage.module';
export * from './replica-store';
