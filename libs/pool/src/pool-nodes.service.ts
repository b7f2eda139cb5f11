import { Inject, Injectable } from '@nestjs/common';
import type { NodeView } from '@ucupdates/admin-api';
import { PoolNodesRepository } from '@ucupdates/database';

export type NodeStatus = 'active' | 'down';

/**
 * The pool's nodes as `GET /api/v1/nodes` shows them. Whether a node (or its worker) is active is
 * the database's answer, by the one rule of libs/database (replication-status.ts); `replicas`
 * counts the files some rule version uses that its replica store holds ready, and the rest.
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
    }));
  }
}
