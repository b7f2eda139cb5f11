import { QueryLayer } from './query-layer';

/** Whether Postgres answers: the readiness probe's question. */
export class HealthRepository extends QueryLayer {
  async ping(): Promise<void> {
    await this.manager.query('SELECT 1');
  }
}
