import { Controller, Get, Header, Inject } from '@nestjs/common';
import { Metrics } from '@ucupdates/observability';
import { Public } from '../auth/roles';

@Controller()
@Public()
export class MetricsController {
  constructor(@Inject(Metrics) private readonly metrics: Metrics) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async metricsText(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
