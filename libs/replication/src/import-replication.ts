import type { DataSource } from 'typeorm';

/**
 * Sets `imports.replicated_at` for every succeeded import whose files are all `ready` on every
 * active node (frontend heartbeat younger than UCU_NODE_DOWN_AFTER_MS, as PoolNodesService and the
 * admin views count them; with no active node an import counts as replicated, as the views say
 * `complete`). Limited to the imports that use `sha256`, or to `importId`. Computed from `replicas`
 * rows rather than a BullMQ flow: a file's job (id = its SHA-256) serves every import that brings
 * the file, so it cannot be the child of one import's flow (docs/decisions.md). Returns the ids set.
 */
export async function markImportsReplicated(
  dataSource: DataSource,
  nodeDownAfterMs: number,
  scope: { sha256: string } | { importId: string },
): Promise<string[]> {
  const [filter, value] =
    'importId' in scope
      ? ['i.id = $2::uuid', scope.importId]
      : [
          `EXISTS (SELECT 1 FROM update_versions v JOIN update_version_files f ON f.update_version_id = v.id
                    WHERE v.import_id = i.id AND f.sha256 = $2)`,
          scope.sha256,
        ];
  const rows = await dataSource.query<{ id: string }[]>(
    `UPDATE imports i SET replicated_at = now()
      WHERE i.replicated_at IS NULL AND i.status = 'succeeded' AND ${filter}
        AND NOT EXISTS (
          SELECT 1 FROM update_versions v
            JOIN update_version_files f ON f.update_version_id = v.id
            CROSS JOIN pool_nodes n
           WHERE v.import_id = i.id
             AND n.frontend_heartbeat_at > now() - make_interval(secs => $1::double precision / 1000)
             AND NOT EXISTS (SELECT 1 FROM replicas r
                              WHERE r.node_id = n.id AND r.sha256 = f.sha256 AND r.state = 'ready'))
      RETURNING i.id`,
    [nodeDownAfterMs, value],
  );
  // node-postgres answers an UPDATE … RETURNING through TypeORM as [rows, count].
  const returned = (Array.isArray(rows[0]) ? rows[0] : rows) as { id: string }[];
  return returned.map((row) => row.id);
}
