import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { recordAdminChange } from '@ucupdates/database';
import { announceChange, type ChangeKind } from '@ucupdates/redis';
import { Redis } from 'ioredis';
import { DataSource, type EntityManager } from 'typeorm';
import type { AdminPrincipal } from '../auth/admin-principal';

export interface AuditedChange {
  action: string;
  /** `<kind>/<id>`. */
  target: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/**
 * How an administrative change is made: in one transaction (the change and its audit row), then
 * announced, so every frontend reloads what it keeps in memory.
 */
@Injectable()
export class AdminChanges {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(Redis) private readonly redis: Redis,
  ) {}

  async commit<T>(kind: ChangeKind, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.dataSource.transaction(work);
    await announceChange(this.redis, kind);
    return result;
  }

  /** The audit row of a change, written with the manager of the change's own transaction. */
  async record(manager: EntityManager, principal: AdminPrincipal, change: AuditedChange): Promise<void> {
    await recordAdminChange(manager, { ...change, actor: principal.name, role: principal.role, nodeId: this.config.UCU_NODE_ID });
  }
}
