import type { ReplicaFile } from '@ucupdates/replication';
import type { StoredReplica } from './replica-writer';

export interface ReplicaRowState {
  state: 'pending' | 'ready' | 'failed';
  updatedAtMs: number;
}

export interface ReconciliationPlan {
  /** On disk but no version uses them: rows deleted, files removed. */
  remove: string[];
  /** Rows of files no version uses and the store does not hold: deleted. */
  dropRows: string[];
  /** Used but absent, or present with the wrong size: fetched again. */
  fetch: ReplicaFile[];
  /** Present with the right size but not known good: hashed; fetched again if wrong. */
  verify: ReplicaFile[];
}

/**
 * Compares a node's replica store with the catalogue (every file some version uses, with its
 * size) and the node's `replicas` rows. Hashing every file on every start-up would make a large
 * store slow to start, so a file of the right size is hashed only when its row is not `ready`, or
 * when it was modified after the row became ready (something wrote into it since it was placed:
 * a placed file's mtime is older than its row's `updated_at`). Clock skew between the node and
 * the database can only add files to hash, never let a modified one through, while the node's
 * clock is not ahead of Postgres' by more than the time between writing and the rename.
 */
export function planReconciliation(
  stored: StoredReplica[],
  wanted: ReadonlyMap<string, number>,
  rows: ReadonlyMap<string, ReplicaRowState>,
): ReconciliationPlan {
  const plan: ReconciliationPlan = { remove: [], dropRows: [], fetch: [], verify: [] };
  const onDisk = new Map(stored.map((replica) => [replica.sha256, replica]));
  for (const replica of stored) {
    const size = wanted.get(replica.sha256);
    if (size === undefined) {
      plan.remove.push(replica.sha256);
    } else if (replica.size !== size) {
      plan.fetch.push({ sha256: replica.sha256, size });
    } else {
      const row = rows.get(replica.sha256);
      if (!row || row.state !== 'ready' || replica.mtimeMs > row.updatedAtMs) {
        plan.verify.push({ sha256: replica.sha256, size });
      }
    }
  }
  for (const [sha256, size] of wanted) {
    if (!onDisk.has(sha256)) {
      plan.fetch.push({ sha256, size });
    }
  }
  for (const sha256 of rows.keys()) {
    if (!wanted.has(sha256) && !onDisk.has(sha256)) {
      plan.dropRows.push(sha256);
    }
  }
  return plan;
}
