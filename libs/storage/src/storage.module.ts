import { Global, Module } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { MinioObjectStorage } from './minio-object-storage';
import { ObjectStorage } from './object-storage';

@Global()
@Module({
  providers: [
    {
      provide: ObjectStorage,
      inject: [CONFIG],
      // The bucket is made by the migration step (apps/worker/src/migrate.ts), before any app starts.
      useFactory: (config: Config): ObjectStorage =>
        new MinioObjectStorage({
          endpoint: config.S3_ENDPOINT,
          accessKey: config.S3_ACCESS_KEY,
          secretKey: config.S3_SECRET_KEY,
          bucket: config.S3_BUCKET,
          region: config.S3_REGION,
        }),
    },
  ],
  exports: [ObjectStorage],
})
export class StorageModule {}
