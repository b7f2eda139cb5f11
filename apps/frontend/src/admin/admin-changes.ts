import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { AdminAuditRepository, type Transaction, Transactions } from '@ucupdates/database';
import { announceChange, type ChangeKind } from '@ucupdates/redis';
import { Redis } from 'ioredis';
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
    @Inject(Transactions) private readonly transactions: Transactions,
    @Inject(AdminAuditRepository) private readonly adminAudit: AdminAuditRepository,
    @Inject(Redis) private readonly redis: Redis,
  ) {}

  /**
   * The change has committed once the transaction has: an announcement Redis cannot take (it is
   * away) is logged, not the caller's failure; every frontend reloads anyway when its subscriber
   * reconnects, and every UCU_CACHE_REFRESH_INTERVAL_MS.
   */
  async commit<T>(kind: ChangeKind, work: (tx: Transaction) => Promise<T>): Promise<T> {
    const result = await this.transactions.run(work);
    await announceChange(this.redis, kind).catch((error: unknown) =>
      this.logger.warn(`committed a change to ${kind} but could not announce it: ${(error as Error).message}`),
    );
    return result;
  }

  /** A change that no frontend keeps in memory (a token, a phone user, an upload): committed, not announced. */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.transactions.run(work);
  }

  /** The audit row of a change, written in the change's own transaction. */
  async record(tx: Transaction, principal: AdminPrincipal, change: AuditedChange): Promise<void> {
    await tx(this.adminAudit).record({ ...change, actor: principal.name, role: principal.role, nodeId: this.config.UCU_NODE_ID });
  }
}
