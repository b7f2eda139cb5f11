import { Logger } from '@nestjs/common';
import { appVersion, type Config } from '@ucupdates/config';
import { PoolNodeEntity } from '@ucupdates/database';
import type { Metrics } from '@ucupdates/observability';
import type { DataSource } from 'typeorm';

export type PoolRole = 'frontend' | 'worker';

export interface MembershipSettings {
  nodeId: string;
  nodeUrl: string;
  appVersion: string;
  heartbeatIntervalMs: number;
}

/**
 * Registers this process as its node's frontend or worker and beats its heartbeat column. A
 * graceful stop clears the column, so the node shows as down at once rather than after the
 * timeout; a crash leaves the column to age.
 */
export class PoolMembership {
  private readonly logger = new Logger(PoolMembership.name);
  private timer: NodeJS.Timeout | null = null;
  private readonly startedColumn: string;
  private readonly heartbeatColumn: string;
  private readonly heartbeatProperty: 'frontendHeartbeatAt' | 'workerHeartbeatAt';

  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: Metrics,
    private readonly role: PoolRole,
    private readonly settings: MembershipSettings,
  ) {
    // Column names come from a closed set, never from input.
    this.startedColumn = `${role}_started_at`;
    this.heartbeatColumn = `${role}_heartbeat_at`;
    this.heartbeatProperty = role === 'frontend' ? 'frontendHeartbeatAt' : 'workerHeartbeatAt';
  }

  /** The membership of this process, as the configuration describes its node. */
  static of(dataSource: DataSource, metrics: Metrics, role: PoolRole, config: Config): PoolMembership {
    return new PoolMembership(dataSource, metrics, role, {
      nodeId: config.UCU_NODE_ID,
      nodeUrl: config.UCU_NODE_URL ?? `http://${config.UCU_NODE_ID}:${config.UCU_INTERNAL_PORT}`,
      appVersion: appVersion(),
      heartbeatIntervalMs: config.UCU_HEARTBEAT_INTERVAL_MS,
    });
  }

  async join(): Promise<void> {
    await this.register();
    this.logger.log(`joined the pool as the ${this.role} of node ${this.settings.nodeId}`);
    this.timer = setInterval(() => void this.beat(), this.settings.heartbeatIntervalMs);
    this.timer.unref();
  }

  private async register(): Promise<void> {
    const { nodeId, nodeUrl, appVersion } = this.settings;
    await this.dataSource.query(
      `INSERT INTO pool_nodes (id, url, app_version, ${this.startedColumn}, ${this.heartbeatColumn})
       VALUES ($1, $2, $3, now(), now())
       ON CONFLICT (id) DO UPDATE
         SET url = CASE WHEN $4 THEN excluded.url ELSE pool_nodes.url END,
             app_version = excluded.app_version,
             ${this.startedColumn} = now(),
             ${this.heartbeatColumn} = now()`,
      [nodeId, nodeUrl, appVersion, this.role === 'frontend'],
    );
    this.metrics.heartbeatAge.setToCurrentTime();
  }

  async leave(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    await this.dataSource
      .query(`UPDATE pool_nodes SET ${this.heartbeatColumn} = NULL WHERE id = $1`, [this.settings.nodeId])
      .catch((error: Error) => this.logger.warn(`could not record the ${this.role}'s stop: ${error.message}`));
  }

  private async beat(): Promise<void> {
    try {
      const { affected } = await this.dataSource
        .createQueryBuilder()
        .update(PoolNodeEntity)
        .set({ [this.heartbeatProperty]: () => 'now()' })
        .where('id = :id', { id: this.settings.nodeId })
        .execute();
      if (affected === 0) {
        // An operator removed the node's row while it ran: register again.
        await this.register();
        return;
      }
      this.metrics.heartbeatAge.setToCurrentTime();
    } catch (error) {
      this.logger.warn(`heartbeat failed: ${(error as Error).message}`);
    }
  }
}
