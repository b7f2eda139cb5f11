import { Global, Module } from '@nestjs/common';
import { PoolNodesRepository, ReplicasRepository } from '@ucupdates/database';
import { JobQueues } from '@ucupdates/jobs';
import { ReplicationScheduler } from './replication-scheduler';

/** The replication producer for Nest apps; needs the database and the (global) JobsModule. */
@Global()
@Module({
  providers: [
    {
      provide: ReplicationScheduler,
      inject: [ReplicasRepository, PoolNodesRepository, JobQueues],
      useFactory: (replicas: ReplicasRepository, nodes: PoolNodesRepository, queues: JobQueues) =>
        new ReplicationScheduler(replicas, nodes, queues),
    },
  ],
  exports: [ReplicationScheduler],
})
export class ReplicationModule {}
