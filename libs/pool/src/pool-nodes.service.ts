import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { DataSource } from 'typeorm';
import { type NodeStatus, nodeStatus } from './node-status';

export interface PoolNodeView {
  id: string;
  url: string;
  status: NodeStatus;
  lastHeartbeatAt: string | null;
  worker: { status: NodeStatus; lastHeartbeatAt: string | null };
  appVersion: string;
  replicas: { ready: number; missing: number };
}

interface PoolNodeRow {
  id: string;
  url: string;
  app_version: string;
  frontend_heartbeat_at: Date | null;
  worker_heartbeat_at: Date | null;
  db_now: Date;
  ready: number;
  missing: number;
}

/** The pool's nodes as `GET /api/v1/nodes` shows them. */
@Injectable()
export class PoolNodesService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async list(): Promise<PoolNodeView[]> {
    // `wanted` is every file some rule version still uses; a node is missing whatever of it
    // its replica store does not hold ready.
    const rows: PoolNodeRow[] = await this.dataSource.query(
      `WITH wanted AS (SELECT DISTINCT sha256 FROM update_version_files)
       SELECT n.id, n.url, n.app_version, n.frontend_heartbeat_at, n.worker_heartbeat_at, now() AS db_now,
              (SELECT count(*)::int FROM replicas r JOIN wanted w USING (sha256)
                WHERE r.node_id = n.id AND r.state = 'ready') AS ready,
              (SELECT count(*)::int FROM wanted w
                WHERE NOT EXISTS (SELECT 1 FROM replicas r
                                   WHERE r.node_id = n.id AND r.sha256 = w.sha256 AND r.state = 'ready')) AS missing
         FROM pool_nodes n
        ORDER BY n.id`,
    );
    const downAfter = this.config.UCU_NODE_DOWN_AFTER_MS;
    return rows.map((row) => ({
      id: row.id,
      url: row.url,
      status: nodeStatus(row.frontend_heartbeat_at, row.db_now, downAfter),
      lastHeartbeatAt: row.frontend_heartbeat_at?.toISOString() ?? null,
      worker: {
        status: nodeStatus(row.worker_heartbeat_at, row.db_now, downAfter),
        lastHeartbeatAt: row.worker_heartbeat_at?.toISOString() ?? null,
      },
      appVersion: row.app_version,
      replicas: { ready: row.ready, missing: row.missing },
    }));
  }
}
