import type { ReplicasRepository, ReplicaState } from '@ucupdates/database';

/**
 * This node's `replicas` rows (ReplicasRepository, bound to the node). `ready` is written only
 * once the store holds the file whole and verified; a row is written only while its file and
 * node exist (both foreign keys: a purge or a node's removal may race with a job).
 */
export class ReplicaRows {
  constructor(
    private readonly replicas: ReplicasRepository,
    readonly nodeId: string,
  ) {}

  markReady(sha256: string): Promise<void> {
    return this.replicas.markReady(this.nodeId, sha256);
  }

  /** One more failed attempt; `failed` when no attempt is left, else still `pending`. */
  recordFailure(sha256: string, error: string, final: boolean): Promise<void> {
    return this.replicas.recordFailure(this.nodeId, sha256, error, final);
  }

  /** The store cannot vouch for the file any more (it is about to be deleted or replaced). */
  markPending(sha256: string): Promise<void> {
    return this.replicas.markPending(this.nodeId, sha256);
  }

  remove(sha256s: string[]): Promise<void> {
    return this.replicas.remove(this.nodeId, sha256s);
  }

  /** Only rows of files no update version uses (any more). */
  removeUnused(sha256s: string[]): Promise<void> {
    return this.replicas.removeUnused(this.nodeId, sha256s);
  }

  states(): Promise<Map<string, { state: ReplicaState; updatedAtMs: number }>> {
    return this.replicas.states(this.nodeId);
  }

  async isReady(sha256: string): Promise<boolean> {
    return (await this.replicas.stateOf(this.nodeId, sha256)) === 'ready';
  }
}
