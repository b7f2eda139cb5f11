import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { JobQueues } from './job-queues';

/** The producer side of the queues, on the process's shared Redis connection. */
@Global()
@Module({
  providers: [{ provide: JobQueues, inject: [Redis], useFactory: (redis: Redis) => new JobQueues(redis) }],
  exports: [JobQueues],
})
export class JobsModule implements OnApplicationShutdown {
  constructor(@Inject(JobQueues) private readonly queues: JobQueues) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queues.close();
  }
}
