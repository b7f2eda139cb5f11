import { Logger } from '@nestjs/common';
import { appVersion, type Config } from '@ucupdates/config';
import type { PoolNodesRepository, PoolRole } from '@ucupdates/database';
import type { Metrics } from '@ucupdates/observability';

export type { PoolRole } from '@ucupdates/database';

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

  constructor(
    private readonly nodes: PoolNodesRepository,
    private readonly metrics: Metrics,
    private readonly role: PoolRole,
    private readonly settings: MembershipSettings,
    /** Runs after the node registered again because an operator had removed it (a worker refills its store). */
    private readonly onRejoin: () => Promise<void> = async () => undefined,
  ) {}

  /** The membership of this process, as the configuration describes its node. */
  static of(
    nodes: PoolNodesRepository,
    metrics: Metrics,
    role: PoolRole,
    config: Config,
    onRejoin?: () => Promise<void>,
  ): PoolMembership {
    return new PoolMembership(
      nodes,
      metrics,
      role,
      {
        nodeId: config.UCU_NODE_ID,
        nodeUrl: config.UCU_NODE_URL ?? `http://${config.UCU_NODE_ID}:${config.UCU_INTERNAL_PORT}`,
        appVersion: appVersion(),
        heartbeatIntervalMs: config.UCU_HEARTBEAT_INTERVAL_MS,
      },
      onRejoin,
    );
  }

  async join(): Promise<void> {
    await this.register();
    this.logger.log(`joined the pool as the ${this.role} of node ${this.settings.nodeId}`);
    this.timer = setInterval(() => void this.beat(), this.settings.heartbeatIntervalMs);
    this.timer.unref();
  }

  private async register(): Promise<void> {
    const { nodeId, nodeUrl, appVersion } = this.settings;
    await this.nodes.register(this.role, { nodeId, nodeUrl, appVersion });
    this.metrics.heartbeatAge.setToCurrentTime();
  }

  async leave(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    await this.nodes
      .leave(this.role, this.settings.nodeId)
      .catch((error: Error) => this.logger.warn(`could not record the ${this.role}'s stop: ${error.message}`));
  }

  private async beat(): Promise<void> {
    try {
      if (!(await this.nodes.beat(this.role, this.settings.nodeId))) {
        // An operator removed the node's row while it ran (a forced removal): register again,
        // as a node that joins; its replica rows and queue went with the removal.
        await this.register();
        this.logger.warn(`node ${this.settings.nodeId} had been removed from the pool while running: its ${this.role} registered again`);
        await this.onRejoin();
        return;
      }
      this.metrics.heartbeatAge.setToCurrentTime();
    } catch (error) {
      this.logger.warn(`heartbeat failed: ${(error as Error).message}`);
    }
  }
}
