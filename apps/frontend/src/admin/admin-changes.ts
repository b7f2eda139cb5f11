import { Inject, Injectable } from '@nestjs/common';
import { announceChange, type ChangeKind } from '@ucupdates/redis';
import { Redis } from 'ioredis';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * How an administrative change is made: in one transaction (the change and its audit row), then
 * announced, so every frontend reloads what it keeps in memory.
 */
@Injectable()
export class AdminChanges {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(Redis) private readonly redis: Redis,
  ) {}

  async commit<T>(kind: ChangeKind, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.dataSource.transaction(work);
    await announceChange(this.redis, kind);
    return result;
  }
}
