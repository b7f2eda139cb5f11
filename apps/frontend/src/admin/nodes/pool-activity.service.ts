import { Inject, Injectable } from '@nestjs/common';
import type { PoolActivityView } from '@ucupdates/admin-api';
import { activityKey, activityMinutes, type MinuteRecord, nodeActivities, parseMinuteRecord } from '@ucupdates/observability';
import { PoolNodesService } from '@ucupdates/pool';
import { Redis } from 'ioredis';

/**
 * The last hour of every node's update checks, downloads and check latency, per minute, from what
 * the nodes recorded in Redis (ActivityRecorder): one round trip for the sixty minutes, one query
 * for the nodes, whatever the pool's size.
 */
@Injectable()
export class PoolActivityService {
  constructor(
    @Inject(Redis) private readonly redis: Redis,
    @Inject(PoolNodesService) private readonly nodes: PoolNodesService,
  ) {}

  async lastHour(now = Date.now()): Promise<PoolActivityView> {
    const minutes = activityMinutes(now);
    const pipeline = this.redis.pipeline();
    for (const minute of minutes) pipeline.hgetall(activityKey(minute));
    const answers = (await pipeline.exec()) ?? [];
    const records = answers.map(([error, value]) => {
      if (error) throw error;
      const byNode = new Map<string, MinuteRecord>();
      for (const [nodeId, text] of Object.entries((value ?? {}) as Record<string, string>)) {
        const record = parseMinuteRecord(text);
        if (record) byNode.set(nodeId, record);
      }
      return byNode;
    });
    const registered = (await this.nodes.list()).map((node) => node.id);
    return { minutes: minutes.map((minute) => new Date(minute).toISOString()), nodes: nodeActivities(minutes, records, registered) };
  }
}
