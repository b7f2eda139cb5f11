import { Global, Module } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { JobQueues } from '@ucupdates/jobs';
import { DataSource } from 'typeorm';
import { ReplicationScheduler } from './replication-scheduler';

/** The replication producer for Nest apps; needs the database and the (global) JobsModule. */
@Global()
@Module({
  providers: [
    {
      provide: ReplicationScheduler,
      inject: [DataSource, JobQueues, CONFIG],
      useFactory: (dataSource: DataSource, queues: JobQueues, config: Config) =>
        new ReplicationScheduler(dataSource, queues, config.UCU_NODE_DOWN_AFTER_MS),
    },
  ],
  exports: [ReplicationScheduler],
})
export class ReplicationModule {}
