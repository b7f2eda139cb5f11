import { Inject, Injectable, Logger } from '@nestjs/common';
import { PoolNodesRepository, type RemovableNode } from '@ucupdates/database';
import { JobQueues } from '@ucupdates/jobs';
import { POOL_STATE_APPLIED_KEY } from '@ucupdates/redis';
import { Redis } from 'ioredis';
import type { AdminPrincipal } from '../../auth/admin-principal';
import { ApiError } from '../../errors/api-error';
import { AdminChanges } from '../shared/admin-changes';

/**
 * Removing a node from the pool (a node taken away for good, a StatefulSet scaled down): it is
 * drained, so nothing of the pool waits for it or keeps work for it any more.
 */
@Injectable()
export class NodesService {
  private readonly logger = new Logger(NodesService.name);

  constructor(
    @Inject(PoolNodesRepository) private readonly nodes: PoolNodesRepository,
    @Inject(AdminChanges) private readonly changes: AdminChanges,
    @Inject(JobQueues) private readonly queues: JobQueues,
    @Inject(Redis) private readonly redis: Redis,
  ) {}

  /**
   * Its row and its `replicas` rows go in one transaction with the audit row: approvals and the
   * confirmations of admin changes ask only the nodes that have a row, and the replica store it
   * held is no longer counted. Refused (409 NodeActive) while its frontend or its worker still
   * beats, unless forced: a running node registers again at its next beat. After the commit its
   * replication queue goes from Redis, and its confirmation of the pool state; should Redis be
   * away, the pool's periodic reconciliation drops the queues of nodes it no longer has.
   */
  async remove(nodeId: string, principal: AdminPrincipal, { force = false } = {}): Promise<void> {
    const removed = await this.changes.transaction(async (tx) => {
      const node = await tx(this.nodes).lockForRemoval(nodeId);
      if (!node) throw new ApiError('NotFound', `no node ${nodeId}`);
      if ((node.active || node.workerActive) && !force) {
        throw new ApiError(
          'NodeActive',
          `node ${nodeId} is still running (${runningParts(node)} beat within UCU_NODE_DOWN_AFTER_MS): stop it first, or remove it with force=true`,
          {
            node: nodeId,
            frontend: { active: node.active, lastHeartbeatAt: node.frontendHeartbeatAt?.toISOString() ?? null },
            worker: { active: node.workerActive, lastHeartbeatAt: node.workerHeartbeatAt?.toISOString() ?? null },
          },
        );
      }
      await tx(this.nodes).remove(nodeId);
      await this.changes.record(tx, principal, {
        action: 'node.remove',
        target: `node/${nodeId}`,
        subject: node.url ? `${nodeId} (${node.url})` : nodeId,
        before: {
          url: node.url,
          appVersion: node.appVersion,
          frontendHeartbeatAt: node.frontendHeartbeatAt?.toISOString() ?? null,
          workerHeartbeatAt: node.workerHeartbeatAt?.toISOString() ?? null,
          replicas: node.replicaRows,
        },
        after: force ? { forced: true, running: node.active || node.workerActive } : null,
      });
      return node;
    });
    try {
      const jobs = await this.queues.dropNodeQueues(nodeId);
      await this.redis.hdel(POOL_STATE_APPLIED_KEY, nodeId);
      this.logger.log(`removed node ${nodeId}: ${removed.replicaRows} replica row(s) and ${jobs} queued job(s) dropped`);
    } catch (error) {
      this.logger.warn(`removed node ${nodeId}, but could not drop its queue yet (reconciliation will): ${(error as Error).message}`);
    }
  }
}

function runningParts(node: RemovableNode): string {
  return [node.active ? 'its frontend' : null, node.workerActive ? 'its worker' : null].filter(Boolean).join(' and ');
}
