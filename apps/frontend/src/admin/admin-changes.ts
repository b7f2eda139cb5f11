import { Inject, Injectable, Logger } from '@nestjs/common';
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
  private readonly logger = new Logger(AdminChanges.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(Redis) private readonly redis: Redis,
  ) {}

  /**
   * The change has committed once the transaction has: an announcement Redis cannot take (it is
   * away) is logged, not the caller's failure; every frontend reloads anyway when its subscriber
   * reconnects, and every UCU_CACHE_REFRESH_INTERVAL_MS.
   */
  async commit<T>(kind: ChangeKind, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.dataSource.transaction(work);
    await announceChange(this.redis, kind).catch((error: unknown) =>
      this.logger.warn(`committed a change to ${kind} but could not announce it: ${(error as Error).message}`),
    );
    return result;
  }

  /** The audit row of a change, written with the manager of the change's own transaction. */
  async record(manager: EntityManager, principal: AdminPrincipal, change: AuditedChange): Promise<void> {
    await recordAdminChange(manager, { ...change, actor: principal.name, role: principal.role, nodeId: this.config.UCU_NODE_ID });
  }
}
