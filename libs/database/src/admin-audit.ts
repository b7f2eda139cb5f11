import type { EntityManager } from 'typeorm';

export interface AdminChange {
  actor: string;
  role: string;
  action: string;
  target: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  nodeId: string;
}

/**
 * Writes the audit row of an administrative change. Call it with the manager of the transaction
 * that makes the change: the change and its row commit together or not at all.
 */
export async function recordAdminChange(manager: EntityManager, change: AdminChange): Promise<void> {
  await manager.query(
    `INSERT INTO admin_audit (actor, role, action, target, before, after, node_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      change.actor,
      change.role,
      change.action,
      change.target,
      change.before === null ? null : JSON.stringify(change.before),
      change.after === null ? null : JSON.stringify(change.after),
      change.nodeId,
    ],
  );
}
