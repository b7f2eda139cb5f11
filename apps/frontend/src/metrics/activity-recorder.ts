import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { ACTIVITY_TTL_SECONDS, activityKey, Metrics } from '@ucupdates/observability';
import { Redis } from 'ioredis';

/** How often the node's minutes go to Redis: the Pool page's charts are this far behind at most. */
export const ACTIVITY_FLUSH_MS = 5_000;

/**
 * Writes this node's per-minute counts (Metrics.activity: update checks, downloads, check latency)
 * to Redis every ACTIVITY_FLUSH_MS, one hash per minute with a field per node, expiring after an
 * hour (decision 65). A write sets the minute's totals (not an increment), so writing a minute
 * again is harmless; while Redis is away the minutes finished meanwhile are lost, the charts show
 * a gap, and nothing else waits for it.
 */
@Injectable()
export class ActivityRecorder {
  private readonly logger = new Logger(ActivityRecorder.name);
  private timer: NodeJS.Timeout | undefined;
  private failing = false;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(Metrics) private readonly metrics: Metrics,
    @Inject(Redis) private readonly redis: Redis,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), ACTIVITY_FLUSH_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  async flush(): Promise<void> {
    const minutes = this.metrics.activity.take();
    try {
      const pipeline = this.redis.multi();
      for (const { minute, record } of minutes) {
        pipeline.hset(activityKey(minute), this.config.UCU_NODE_ID, JSON.stringify(record));
        pipeline.expire(activityKey(minute), ACTIVITY_TTL_SECONDS);
      }
      await pipeline.exec();
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.logger.warn(`could not record this node's activity in Redis: ${(error as Error).message}`);
      this.failing = true;
    }
  }
}
