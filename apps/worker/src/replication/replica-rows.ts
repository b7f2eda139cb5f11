import type { DataSource } from 'typeorm';

/**
 * Writes to this node's `replicas` rows. `ready` is written only once the store holds the file
 * whole and verified; a row is written only while its file and node exist (both foreign keys: a
 * purge or a node's removal may race with a job).
 */
export class ReplicaRows {
  constructor(
    private readonly dataSource: DataSource,
    readonly nodeId: string,
  ) {}

  async markReady(sha256: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO replicas (node_id, sha256, state, attempts, last_error, updated_at)
       SELECT n.id, f.sha256, 'ready', 0, NULL, now() FROM pool_nodes n JOIN files f ON f.sha256 = $2 WHERE n.id = $1
       ON CONFLICT (node_id, sha256) DO UPDATE SET state = 'ready', last_error = NULL, updated_at = now()`,
      [this.nodeId, sha256],
    );
  }

  /** One more failed attempt; `failed` when no attempt is left, else still `pending`. */
  async recordFailure(sha256: string, error: string, final: boolean): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO replicas (node_id, sha256, state, attempts, last_error, updated_at)
       SELECT n.id, f.sha256, $4, 1, $3, now() FROM pool_nodes n JOIN files f ON f.sha256 = $2 WHERE n.id = $1
       ON CONFLICT (node_id, sha256) DO UPDATE
         SET state = $4, attempts = replicas.attempts + 1, last_error = $3, updated_at = now()`,
      [this.nodeId, sha256, error.slice(0, 2000), final ? 'failed' : 'pending'],
    );
  }

  /** The store cannot vouch for the file any more (it is about to be deleted or replaced). */
  async markPending(sha256: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE replicas SET state = 'pending', updated_at = now() WHERE node_id = $1 AND sha256 = $2 AND state = 'ready'`,
      [this.nodeId, sha256],
    );
  }

  async delete(sha256s: string[]): Promise<void> {
    await this.dataSource.query(`DELETE FROM replicas WHERE node_id = $1 AND sha256 = ANY($2::text[])`, [this.nodeId, sha256s]);
  }

  async states(): Promise<Map<string, { state: 'pending' | 'ready' | 'failed'; updatedAtMs: number }>> {
    const rows = await this.dataSource.query<{ sha256: string; state: 'pending' | 'ready' | 'failed'; updated_at: Date }[]>(
      `SELECT sha256, state, updated_at FROM replicas WHERE node_id = $1`,
      [this.nodeId],
    );
    return new Map(rows.map((row) => [row.sha256, { state: row.state, updatedAtMs: row.updated_at.getTime() }]));
  }
}
