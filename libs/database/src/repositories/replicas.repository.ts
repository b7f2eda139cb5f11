import type { ReplicaState } from '../entities';
import { QueryLayer } from './query-layer';
import { fileReplicas, isActiveNode } from './replication-status';

/** A file to replicate: a replication job's payload. */
export interface ReplicaFile {
  sha256: string;
  size: number;
}

/** A file of a version that an active node's replica store does not hold ready. */
export interface MissingReplica {
  nodeId: string;
  name: string;
}

/** For each active node, how many of an import's files its replica store holds ready, and lacks. */
export type NodeCoverage = Record<string, { ready: number; missing: number }>;

/** Which replica store holds which file (`replicas`), and what the pool's replication still owes. */
export class ReplicasRepository extends QueryLayer {
  /**
   * The replication status of update versions: for each of `versionIds`, the files an active
   * node lacks, by node and name (none: the version is everywhere). One statement for any number.
   */
  async missingByVersion(versionIds: readonly string[]): Promise<Map<string, MissingReplica[]>> {
    const missing = new Map<string, MissingReplica[]>(versionIds.map((id) => [id, []]));
    if (versionIds.length === 0) return missing;
    const rows = await this.manager.query<{ version_id: string; node_id: string; name: string }[]>(
      `SELECT c.version_id, c.node_id, c.name FROM (${fileReplicas('v.id = ANY($1::uuid[])', isActiveNode('$2'))}) c
        WHERE NOT c.ready
        ORDER BY c.version_id, c.node_id, c.name`,
      [versionIds, this.config.UCU_NODE_DOWN_AFTER_MS],
    );
    for (const row of rows) missing.get(row.version_id)!.push({ nodeId: row.node_id, name: row.name });
    return missing;
  }

  /** The same status by import: for each of `importIds`, each active node's count of its (distinct) files. */
  async coverageByImport(importIds: readonly string[]): Promise<Map<string, NodeCoverage>> {
    const coverage = new Map<string, NodeCoverage>(importIds.map((id) => [id, {}]));
    if (importIds.length === 0) return coverage;
    const rows = await this.manager.query<{ import_id: string; node_id: string; ready: number; missing: number }[]>(
      `SELECT i.id AS import_id, n.id AS node_id,
              count(DISTINCT c.sha256) FILTER (WHERE c.ready)::int AS ready,
              count(DISTINCT c.sha256) FILTER (WHERE NOT c.ready)::int AS missing
         FROM unnest($1::uuid[]) AS i(id)
        CROSS JOIN pool_nodes n
         LEFT JOIN (${fileReplicas('v.import_id = ANY($1::uuid[])', 'true')}) c ON c.import_id = i.id AND c.node_id = n.id
        WHERE ${isActiveNode('$2')}
        GROUP BY i.id, n.id
        ORDER BY i.id, n.id`,
      [importIds, this.config.UCU_NODE_DOWN_AFTER_MS],
    );
    for (const row of rows) coverage.get(row.import_id)![row.node_id] = { ready: row.ready, missing: row.missing };
    return coverage;
  }

  /**
   * Sets `imports.replicated_at` for every succeeded import whose files are all ready on every
   * active node (with no active node an import counts as replicated, as the views say
   * `complete`). Limited to the imports that use `sha256`, or to `importId`. Returns the ids set.
   */
  async markImportsReplicated(scope: { sha256: string } | { importId: string }): Promise<string[]> {
    const [filter, value] =
      'importId' in scope
        ? ['i.id = $2::uuid', scope.importId]
        : [
            `EXISTS (SELECT 1 FROM update_versions v JOIN update_version_files f ON f.update_version_id = v.id
                      WHERE v.import_id = i.id AND f.sha256 = $2)`,
            scope.sha256,
          ];
    const [rows] = await this.manager.query<[{ id: string }[], number]>(
      `UPDATE imports i SET replicated_at = now()
        WHERE i.replicated_at IS NULL AND i.status = 'succeeded' AND ${filter}
          AND NOT EXISTS (SELECT 1 FROM (${fileReplicas('v.import_id = i.id', isActiveNode('$1'))}) c WHERE NOT c.ready)
        RETURNING i.id`,
      [this.config.UCU_NODE_DOWN_AFTER_MS, value],
    );
    return rows.map((row) => row.id);
  }

  /** The distinct files of an import's versions, with their sizes. */
  async filesOfImport(importId: string): Promise<ReplicaFile[]> {
    return this.manager.query<ReplicaFile[]>(
      `SELECT DISTINCT f.sha256, fl.size::float8 AS size
         FROM update_versions v
         JOIN update_version_files f ON f.update_version_id = v.id
         JOIN files fl ON fl.sha256 = f.sha256
        WHERE v.import_id = $1`,
      [importId],
    );
  }

  /** Every file some update version uses, with its size: what each replica store should hold. */
  async wantedFiles(): Promise<ReplicaFile[]> {
    return this.manager.query<ReplicaFile[]>(
      `SELECT f.sha256, f.size::float8 AS size FROM files f
        WHERE EXISTS (SELECT 1 FROM update_version_files u WHERE u.sha256 = f.sha256)`,
    );
  }

  /** The catalogue's size of a file; null when the file is not (any more) in the catalogue. */
  async fileSize(sha256: string): Promise<number | null> {
    const [row] = await this.manager.query<{ size: number }[]>(`SELECT size::float8 AS size FROM files WHERE sha256 = $1`, [sha256]);
    return row ? Number(row.size) : null;
  }

  /** Whether some update version uses the file. */
  async isUsed(sha256: string): Promise<boolean> {
    const [row] = await this.manager.query<{ used: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM update_version_files WHERE sha256 = $1) AS used`,
      [sha256],
    );
    return row.used;
  }

  /**
   * Makes the node's rows of `files` `pending` (attempts reset), for files that still exist and
   * a node that is registered (both foreign keys: a purge or a node's removal may race with
   * this). An existing row is overwritten only when `replace` says so: `failed` rows only, or all.
   */
  async upsertPending(nodeId: string, sha256s: readonly string[], replace: 'failed' | 'all'): Promise<void> {
    if (sha256s.length === 0) return;
    await this.manager.query(
      `INSERT INTO replicas (node_id, sha256, state, attempts, last_error, updated_at)
       SELECT n.id, f.sha256, 'pending', 0, NULL, now()
         FROM pool_nodes n JOIN files f ON f.sha256 = ANY($2::text[])
        WHERE n.id = $1
       ON CONFLICT (node_id, sha256) DO UPDATE
         SET state = 'pending', attempts = 0, last_error = NULL, updated_at = now()
         WHERE $3 OR replicas.state = 'failed'`,
      [nodeId, sha256s, replace === 'all'],
    );
  }

  /** The node's store holds the file whole and verified. */
  async markReady(nodeId: string, sha256: string): Promise<void> {
    await this.manager.query(
      `INSERT INTO replicas (node_id, sha256, state, attempts, last_error, updated_at)
       SELECT n.id, f.sha256, 'ready', 0, NULL, now() FROM pool_nodes n JOIN files f ON f.sha256 = $2 WHERE n.id = $1
       ON CONFLICT (node_id, sha256) DO UPDATE SET state = 'ready', last_error = NULL, updated_at = now()`,
      [nodeId, sha256],
    );
  }

  /** One more failed attempt; `failed` when no attempt is left, else still `pending`. */
  async recordFailure(nodeId: string, sha256: string, error: string, final: boolean): Promise<void> {
    await this.manager.query(
      `INSERT INTO replicas (node_id, sha256, state, attempts, last_error, updated_at)
       SELECT n.id, f.sha256, $4, 1, $3, now() FROM pool_nodes n JOIN files f ON f.sha256 = $2 WHERE n.id = $1
       ON CONFLICT (node_id, sha256) DO UPDATE
         SET state = $4, attempts = replicas.attempts + 1, last_error = $3, updated_at = now()`,
      [nodeId, sha256, error.slice(0, 2000), final ? 'failed' : 'pending'],
    );
  }

  /** The store cannot vouch for the file any more (it is about to be deleted or replaced). */
  async markPending(nodeId: string, sha256: string): Promise<void> {
    await this.manager.query(
      `UPDATE replicas SET state = 'pending', updated_at = now() WHERE node_id = $1 AND sha256 = $2 AND state = 'ready'`,
      [nodeId, sha256],
    );
  }

  async remove(nodeId: string, sha256s: readonly string[]): Promise<void> {
    await this.manager.query(`DELETE FROM replicas WHERE node_id = $1 AND sha256 = ANY($2::text[])`, [nodeId, sha256s]);
  }

  /** Deletes the node's rows of files no update version uses (any more). */
  async removeUnused(nodeId: string, sha256s: readonly string[]): Promise<void> {
    await this.manager.query(
      `DELETE FROM replicas r WHERE r.node_id = $1 AND r.sha256 = ANY($2::text[])
          AND NOT EXISTS (SELECT 1 FROM update_version_files u WHERE u.sha256 = r.sha256)`,
      [nodeId, sha256s],
    );
  }

  async states(nodeId: string): Promise<Map<string, { state: ReplicaState; updatedAtMs: number }>> {
    const rows = await this.manager.query<{ sha256: string; state: ReplicaState; updated_at: Date }[]>(
      `SELECT sha256, state, updated_at FROM replicas WHERE node_id = $1`,
      [nodeId],
    );
    return new Map(rows.map((row) => [row.sha256, { state: row.state, updatedAtMs: row.updated_at.getTime() }]));
  }

  async stateOf(nodeId: string, sha256: string): Promise<ReplicaState | null> {
    const [row] = await this.manager.query<{ state: ReplicaState }[]>(`SELECT state FROM replicas WHERE node_id = $1 AND sha256 = $2`, [
      nodeId,
      sha256,
    ]);
    return row?.state ?? null;
  }
}
