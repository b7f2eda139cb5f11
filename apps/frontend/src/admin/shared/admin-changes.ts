import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { AdminAuditRepository, PoolNodesRepository, type Transaction, Transactions } from '@ucupdates/database';
import { requestContext } from '@ucupdates/observability';
import { announceChange, type ChangeKind, POOL_STATE_APPLIED_KEY } from '@ucupdates/redis';
import { Redis } from 'ioredis';
import type { AdminPrincipal } from '../../auth/admin-principal';

/** How often the confirmations of a change are read while waiting for them. */
const CONFIRM_POLL_MS = 20;

export interface AuditedChange {
  action: string;
  /** `<kind>/<id>`. */
  target: string;
  /**
   * The target named as administrators know it, at the time of the change: a rule's key
   * (`ruleKeyText`), a test device's `<scope>/<name>`, a token's name, a DDI target's controller id.
   */
  subject: string;
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
    @Inject(PoolNodesRepository) private readonly poolNodes: PoolNodesRepository,
  ) {}

  /**
   * The change has committed once the transaction has: an announcement Redis cannot take (it is
   * away) is logged, not the caller's failure; every frontend reloads anyway when its subscriber
   * reconnects, and every UCU_CACHE_REFRESH_INTERVAL_MS.
   */
  async commit<T>(kind: ChangeKind, work: (tx: Transaction) => Promise<T>): Promise<T> {
    const result = await this.transactions.run(work);
    const version = await announceChange(this.redis, kind).catch((error: unknown) => {
      this.logger.warn(`committed a change to ${kind} but could not announce it: ${(error as Error).message}`);
      return null;
    });
    if (version !== null) await this.awaitConfirmations(kind, version);
    return result;
  }

  /** A change that no frontend keeps in memory (a token, a phone user, an upload): committed, not announced. */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.transactions.run(work);
  }

  /**
   * Read-your-writes across the pool (architecture.md §3): waits until every active node has
   * confirmed serving the pool state of `version` (PoolStateService), at most
   * UCU_CHANGE_CONFIRM_TIMEOUT_MS; the nodes that had not by then are named in the answer
   * (`X-UCU-Unconfirmed-Nodes`, set from the request context) and in the log. Never fails the
   * change: it has committed.
   */
  private async awaitConfirmations(kind: ChangeKind, version: number): Promise<void> {
    const timeoutMs = this.config.UCU_CHANGE_CONFIRM_TIMEOUT_MS;
    if (timeoutMs === 0) return;
    const deadline = Date.now() + timeoutMs;
    let waiting: string[];
    try {
      waiting = await this.poolNodes.activeNodes();
      for (;;) {
        const applied = await this.redis.hgetall(POOL_STATE_APPLIED_KEY);
        waiting = waiting.filter((node) => !(Number(applied[node] ?? 0) >= version));
        if (waiting.length === 0 || Date.now() >= deadline) break;
        await new Promise((resolve) => setTimeout(resolve, Math.min(CONFIRM_POLL_MS, Math.max(1, deadline - Date.now()))));
      }
    } catch (error) {
      this.logger.warn(`could not learn which nodes serve the change to ${kind}: ${(error as Error).message}`);
      return;
    }
    if (waiting.length > 0) {
      this.logger.warn(`a change to ${kind} was not confirmed within ${timeoutMs} ms by ${waiting.join(', ')}`);
      const context = requestContext.getStore();
      if (context) context.unconfirmedNodes = waiting;
    }
  }

  /** The audit row of a change, written in the change's own transaction. */
  async record(tx: Transaction, principal: AdminPrincipal, change: AuditedChange): Promise<void> {
    await tx(this.adminAudit).record({ ...change, actor: principal.name, role: principal.role, nodeId: this.config.UCU_NODE_ID });
  }
}
