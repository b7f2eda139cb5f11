import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { DataSource } from 'typeorm';
import { createDataSource } from './data-source';
import { REPOSITORIES, Repositories, Transactions } from './repositories';

@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [CONFIG],
      useFactory: async (config: Config): Promise<DataSource> => {
        const dataSource = createDataSource(config.DATABASE_URL, `ucupdates-${config.UCU_NODE_ID}`);
        return dataSource.initialize();
      },
    },
    { provide: Repositories, inject: [DataSource, CONFIG], useFactory: (dataSource: DataSource, config: Config) => new Repositories(dataSource, config) },
    ...REPOSITORIES.map((repository) => ({
      provide: repository,
      inject: [Repositories],
      useFactory: (repositories: Repositories) => repositories.get(repository),
    })),
    { provide: Transactions, inject: [Repositories], useFactory: (repositories: Repositories) => repositories.transactions },
  ],
  exports: [DataSource, Repositories, Transactions, ...REPOSITORIES],
})
export class DatabaseModule implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseModule.name);

  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) {
      await this.dataSource.destroy();
      this.logger.log('database connections closed');
    }
  }
}
