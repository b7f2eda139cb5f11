import { Inject, Injectable } from '@nestjs/common';
import type { NodeView } from '@ucupdates/admin-api';
import { PoolNodesRepository } from '@ucupdates/database';

export type NodeStatus = 'active' | 'down';

/**
 * The pool's nodes as `GET /api/v1/nodes` shows them. Whether a node (or its worker) is active is
 * the database's answer, by the one rule of libs/database (replication-status.ts); `replicas`
 * counts the files some rule version uses that its replica store holds ready, and the rest;
 * `scrub` is what its worker's scrub has re-hashed and found corrupt.
 */
@Injectable()
export class PoolNodesService {
  constructor(@Inject(PoolNodesRepository) private readonly nodes: PoolNodesRepository) {}

  async list(): Promise<NodeView[]> {
    return (await this.nodes.list()).map((row) => ({
      id: row.id,
      url: row.url,
      status: row.active ? 'active' : 'down',
      lastHeartbeatAt: row.frontendHeartbeatAt?.toISOString() ?? null,
      worker: {
        status: row.workerActive ? 'active' : 'down',
        lastHeartbeatAt: row.workerHeartbeatAt?.toISOString() ?? null,
      },
      appVersion: row.appVersion,
      replicas: { ready: row.ready, missing: row.missing },
      scrub: {
        passStartedAt: row.scrub.passStartedAt?.toISOString() ?? null,
        passCompletedAt: row.scrub.passCompletedAt?.toISOString() ?? null,
        checkedBytes: Number(row.scrub.checkedBytes),
        mismatches: row.scrub.mismatches,
        lastMismatch:
          row.scrub.lastMismatchSha256 && row.scrub.lastMismatchAt
            ? { sha256: row.scrub.lastMismatchSha256, at: row.scrub.lastMismatchAt.toISOString() }
            : null,
      },
    }));
  }
}
