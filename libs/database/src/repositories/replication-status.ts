/**
 * The two rules every replication question is answered by, written once (docs/decisions.md 45).
 * Fragments of SQL, never input: the repositories put them into their statements.
 */

/**
 * The one rule of liveness: a heartbeat column younger than UCU_NODE_DOWN_AFTER_MS, by the
 * database's clock (no node's own clock has to be right). A node is active while its frontend's
 * column is; `downAfterMs` names the statement's parameter holding UCU_NODE_DOWN_AFTER_MS.
 */
export function isLive(heartbeatColumn: string, downAfterMs: string): string {
  return `coalesce(${heartbeatColumn} > now() - make_interval(secs => ${downAfterMs}::double precision / 1000), false)`;
}

/** The active-node rule on pool_nodes `n`. */
export function isActiveNode(downAfterMs: string): string {
  return isLive('n.frontend_heartbeat_at', downAfterMs);
}

/**
 * The one replication status: a row per file of the chosen update versions (`versions`, a
 * condition on `v`, update_versions) and per chosen node (`nodes`, a condition on `n`,
 * pool_nodes), `ready` when that node's replica store holds the file whole and verified.
 * Columns: version_id, import_id, node_id, name, sha256, ready.
 */
export function fileReplicas(versions: string, nodes: string): string {
  return `SELECT v.id AS version_id, v.import_id, n.id AS node_id, f.name, f.sha256,
                 EXISTS (SELECT 1 FROM replicas r WHERE r.node_id = n.id AND r.sha256 = f.sha256 AND r.state = 'ready') AS ready
            FROM update_versions v
            JOIN update_version_files f ON f.update_version_id = v.id
            CROSS JOIN pool_nodes n
           WHERE (${versions}) AND (${nodes})`;
}
