import { QueryLayer } from './query-layer';
import { fileReplicas, isActiveNode, isLive } from './replication-status';

export type PoolRole = 'frontend' | 'worker';

/** A node's row with its liveness (the one rule, replication-status.ts) and its replica store's coverage. */
export interface PoolNodeRow {
  id: string;
  url: string;
  appVersion: string;
  frontendHeartbeatAt: Date | null;
  workerHeartbeatAt: Date | null;
  /** The node is active: its frontend beats. */
  active: boolean;
  workerActive: boolean;
  /** Files some rule version uses that its replica store holds ready, and those it does not. */
  ready: number;
  missing: number;
  scrub: NodeScrubRow;
}

/** A node's scrub of its replica store (docs/replication.md, "The scrub"). */
export interface NodeScrubRow {
  passStartedAt: Date | null;
  passCompletedAt: Date | null;
  /** Bytes re-read and re-hashed over every pass (bigint as a string, as pg returns it). */
  checkedBytes: string;
  mismatches: number;
  lastMismatchSha256: string | null;
  lastMismatchAt: Date | null;
}

const SCRUB_COLUMNS = `n.scrub_pass_started_at AS "passStartedAt", n.scrub_pass_completed_at AS "passCompletedAt",
  n.scrub_checked_bytes::text AS "checkedBytes", n.scrub_mismatches AS mismatches,
  n.scrub_last_mismatch_sha256 AS "lastMismatchSha256", n.scrub_last_mismatch_at AS "lastMismatchAt"`;

/** The node row's own columns, with its scrub apart. */
type FlatNodeRow = Omit<PoolNodeRow, 'scrub'> & NodeScrubRow;

/** A node about to be removed: its row, its liveness and how many `replicas` rows go with it. */
export type RemovableNode = Omit<PoolNodeRow, 'ready' | 'missing' | 'scrub'> & { replicaRows: number };

export interface NodeRegistration {
  nodeId: string;
  nodeUrl: string;
  appVersion: string;
}

/** The pool's nodes (`pool_nodes`): membership, heartbeats and which of them are active. */
export class PoolNodesRepository extends QueryLayer {
  /** Every node, active or down, in id order. */
  async list(): Promise<PoolNodeRow[]> {
    const rows = await this.manager.query<FlatNodeRow[]>(
      `SELECT n.id, n.url, n.app_version AS "appVersion", n.frontend_heartbeat_at AS "frontendHeartbeatAt",
              n.worker_heartbeat_at AS "workerHeartbeatAt", ${isActiveNode('$1')} AS active,
              ${isLive('n.worker_heartbeat_at', '$1')} AS "workerActive",
              count(DISTINCT c.sha256) FILTER (WHERE c.ready)::int AS ready,
              count(DISTINCT c.sha256) FILTER (WHERE NOT c.ready)::int AS missing,
              ${SCRUB_COLUMNS}
         FROM pool_nodes n
         LEFT JOIN (${fileReplicas('true', 'true')}) c ON c.node_id = n.id
        GROUP BY n.id
        ORDER BY n.id`,
      [this.config.UCU_NODE_DOWN_AFTER_MS],
    );
    return rows.map(({ passStartedAt, passCompletedAt, checkedBytes, mismatches, lastMismatchSha256, lastMismatchAt, ...node }) => ({
      ...node,
      scrub: { passStartedAt, passCompletedAt, checkedBytes, mismatches, lastMismatchSha256, lastMismatchAt },
    }));
  }

  /** The node's scrub, or null when the node is not registered. */
  async scrubOf(nodeId: string): Promise<NodeScrubRow | null> {
    const [row] = await this.manager.query<NodeScrubRow[]>(`SELECT ${SCRUB_COLUMNS} FROM pool_nodes n WHERE n.id = $1`, [nodeId]);
    return row ?? null;
  }

  /** The scrub began a pass over the node's store. */
  async scrubPassStarted(nodeId: string): Promise<void> {
    await this.manager.query(`UPDATE pool_nodes SET scrub_pass_started_at = now() WHERE id = $1`, [nodeId]);
  }

  async scrubPassCompleted(nodeId: string): Promise<void> {
    await this.manager.query(`UPDATE pool_nodes SET scrub_pass_completed_at = now() WHERE id = $1`, [nodeId]);
  }

  /** Bytes the scrub has re-hashed since it last said so. */
  async addScrubbedBytes(nodeId: string, bytes: number): Promise<void> {
    await this.manager.query(`UPDATE pool_nodes SET scrub_checked_bytes = scrub_checked_bytes + $2 WHERE id = $1`, [nodeId, bytes]);
  }

  /** The scrub found a file of the node's store not to match its SHA-256. */
  async recordScrubMismatch(nodeId: string, sha256: string): Promise<void> {
    await this.manager.query(
      `UPDATE pool_nodes SET scrub_mismatches = scrub_mismatches + 1, scrub_last_mismatch_sha256 = $2, scrub_last_mismatch_at = now()
        WHERE id = $1`,
      [nodeId, sha256],
    );
  }

  /** The ids of the active nodes (the one rule, replication-status.ts). */
  async activeNodes(): Promise<string[]> {
    const rows = await this.manager.query<{ id: string }[]>(`SELECT n.id FROM pool_nodes n WHERE ${isActiveNode('$1')} ORDER BY n.id`, [
      this.config.UCU_NODE_DOWN_AFTER_MS,
    ]);
    return rows.map((row) => row.id);
  }

  /** Every node of the pool, active or down. */
  async registeredNodes(): Promise<string[]> {
    const rows = await this.manager.query<{ id: string }[]>(`SELECT id FROM pool_nodes ORDER BY id`);
    return rows.map((row) => row.id);
  }

  /**
   * Registers the node's frontend or worker and starts its heartbeat; only a frontend sets the
   * node's URL. Column names come from the closed `PoolRole`, never from input.
   */
  async register(role: PoolRole, node: NodeRegistration): Promise<void> {
    await this.manager.query(
      `INSERT INTO pool_nodes (id, url, app_version, ${role}_started_at, ${role}_heartbeat_at)
       VALUES ($1, $2, $3, now(), now())
       ON CONFLICT (id) DO UPDATE
         SET url = CASE WHEN $4 THEN excluded.url ELSE pool_nodes.url END,
             app_version = excluded.app_version,
             ${role}_started_at = now(),
             ${role}_heartbeat_at = now()`,
      [node.nodeId, node.nodeUrl, node.appVersion, role === 'frontend'],
    );
  }

  /**
   * One heartbeat; false when the node's row is gone (an operator removed it), or was made again
   * by the node's other process after a removal, so this role never registered in it.
   */
  async beat(role: PoolRole, nodeId: string): Promise<boolean> {
    const [, affected] = await this.manager.query<[unknown[], number]>(
      `UPDATE pool_nodes SET ${role}_heartbeat_at = now() WHERE id = $1 AND ${role}_started_at IS NOT NULL`,
      [nodeId],
    );
    return affected > 0;
  }

  /**
   * The node's row with its liveness, locked until the transaction ends (a heartbeat waits for
   * it, so a node removed by `remove` finds its row gone at its next beat). Null when no such node.
   */
  async lockForRemoval(nodeId: string): Promise<RemovableNode | null> {
    const [row] = await this.manager.query<RemovableNode[]>(
      `SELECT n.id, n.url, n.app_version AS "appVersion", n.frontend_heartbeat_at AS "frontendHeartbeatAt",
              n.worker_heartbeat_at AS "workerHeartbeatAt", ${isActiveNode('$2')} AS active,
              ${isLive('n.worker_heartbeat_at', '$2')} AS "workerActive",
              (SELECT count(*) FROM replicas r WHERE r.node_id = n.id)::int AS "replicaRows"
         FROM pool_nodes n
        WHERE n.id = $1
          FOR UPDATE`,
      [nodeId, this.config.UCU_NODE_DOWN_AFTER_MS],
    );
    return row ?? null;
  }

  /** The node leaves the pool: its row, and with it (ON DELETE CASCADE) its `replicas` rows. */
  async remove(nodeId: string): Promise<void> {
    await this.manager.query(`DELETE FROM pool_nodes WHERE id = $1`, [nodeId]);
  }

  /** A graceful stop: the node shows as down at once rather than after the timeout. */
  async leave(role: PoolRole, nodeId: string): Promise<void> {
    await this.manager.query(`UPDATE pool_nodes SET ${role}_heartbeat_at = NULL WHERE id = $1`, [nodeId]);
  }
}

