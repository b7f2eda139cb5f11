import { Controller, Get, Header, Inject, Logger } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { PoolNodesRepository } from '@ucupdates/database';
import { Metrics } from '@ucupdates/observability';
import { Public } from '../auth/roles';

@Controller()
@Public()
export class MetricsController {
  private readonly logger = new Logger(MetricsController.name);

  constructor(
    @Inject(Metrics) private readonly metrics: Metrics,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(PoolNodesRepository) private readonly nodes: PoolNodesRepository,
  ) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async metricsText(): Promise<string> {
    await this.readScrub();
    return this.metrics.registry.metrics();
  }

  /** The worker's scrub figures from the node's row; the last ones read stay when Postgres is away. */
  private async readScrub(): Promise<void> {
    try {
      const scrub = await this.nodes.scrubOf(this.config.UCU_NODE_ID);
      if (scrub) {
        this.metrics.scrubCheckedBytes.set(Number(scrub.checkedBytes));
        this.metrics.scrubMismatches.set(scrub.mismatches);
      }
    } catch (error) {
      this.logger.warn(`could not read the scrub's figures: ${(error as Error).message}`);
    }
  }
}
