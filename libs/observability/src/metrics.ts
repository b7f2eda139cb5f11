import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { ActivityCounter } from './pool-activity';

/**
 * The Prometheus registry of one process. Each feature registers its own metrics here (update
 * checks by outcome, bytes served from replica vs MinIO, queue depth, …); every series carries
 * the node id and the app, so the pool's nodes can be scraped side by side.
 */
export class Metrics {
  readonly registry = new Registry();
  /** The current minute's update checks, downloads and check latency, for the Pool page (decision 65). */
  readonly activity = new ActivityCounter();

  readonly httpRequests: Counter<'listener' | 'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'listener' | 'method' | 'route'>;
  readonly heartbeatAge: Gauge;
  readonly updateChecks: Counter<'listener' | 'outcome'>;
  readonly auditBatchSize: Histogram;
  readonly auditWriteSeconds: Histogram;
  readonly bytesServed: Counter<'source'>;
  readonly auditJournalSyncSeconds: Histogram;
  readonly auditShipLagSeconds: Histogram;
  readonly auditBypassedRows: Counter;
  readonly auditJournalSegments: Gauge;
  readonly auditJournalBytes: Gauge;
  readonly scrubCheckedBytes: Gauge;
  readonly scrubMismatches: Gauge;

  constructor(nodeId: string, app: string) {
    this.registry.setDefaultLabels({ node_id: nodeId, app });
    collectDefaultMetrics({ register: this.registry, prefix: 'ucupdates_' });
    this.httpRequests = new Counter({
      name: 'ucupdates_http_requests_total',
      help: 'HTTP requests answered, by listener, method, route and status',
      labelNames: ['listener', 'method', 'route', 'status'],
      registers: [this.registry],
    });
    this.httpDuration = new Histogram({
      name: 'ucupdates_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by listener, method and route',
      labelNames: ['listener', 'method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.heartbeatAge = new Gauge({
      name: 'ucupdates_heartbeat_last_success_timestamp_seconds',
      help: 'When this process last recorded its heartbeat in Postgres (Unix time)',
      registers: [this.registry],
    });
    this.updateChecks = new Counter({
      name: 'ucupdates_update_checks_total',
      help: 'Update checks answered, by listener and outcome (update, restore, none, refused, failed)',
      labelNames: ['listener', 'outcome'],
      registers: [this.registry],
    });
    this.auditJournalSyncSeconds = new Histogram({
      name: 'ucupdates_request_audit_journal_sync_seconds',
      help: 'Time to append and fsync one batch of request audit rows to the local journal: what a phone waits for',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers: [this.registry],
    });
    this.auditBatchSize = new Histogram({
      name: 'ucupdates_request_audit_batch_rows',
      help: 'Request audit rows shipped from the journal to Postgres per statement',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
      registers: [this.registry],
    });
    this.auditWriteSeconds = new Histogram({
      name: 'ucupdates_request_audit_write_seconds',
      help: 'Time to commit one shipment of request audit rows to Postgres',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    this.auditShipLagSeconds = new Histogram({
      name: 'ucupdates_request_audit_ship_lag_seconds',
      help: 'Per request audit row, the time from durable in the journal to committed in Postgres',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [this.registry],
    });
    this.auditBypassedRows = new Counter({
      name: 'ucupdates_request_audit_bypassed_rows_total',
      help: 'Request audit rows written to Postgres before answering because the journal could not take them (full or failing)',
      registers: [this.registry],
    });
    this.auditJournalSegments = new Gauge({
      name: 'ucupdates_request_audit_journal_segments',
      help: 'Segments of the local request audit journal on disk (the open one included)',
      registers: [this.registry],
    });
    this.auditJournalBytes = new Gauge({
      name: 'ucupdates_request_audit_journal_bytes',
      help: 'Bytes of the local request audit journal on disk (bounded by UCU_AUDIT_JOURNAL_MAX_MB)',
      registers: [this.registry],
    });
    // The worker's scrub of the node's replica store, as its row in Postgres says (the worker
    // serves no metrics of its own: the frontend reads them when it is scraped).
    this.scrubCheckedBytes = new Gauge({
      name: 'ucupdates_replica_scrub_checked_bytes',
      help: "Bytes of the node's replica store its scrub has re-read and re-hashed, over every pass",
      registers: [this.registry],
    });
    this.scrubMismatches = new Gauge({
      name: 'ucupdates_replica_scrub_mismatches',
      help: "Files of the node's replica store its scrub found not to match their SHA-256 (each replaced)",
      registers: [this.registry],
    });
    this.bytesServed = new Counter({
      name: 'ucupdates_file_bytes_served_total',
      help: 'Bytes of update files sent to phones, by source (replica store or MinIO)',
      labelNames: ['source'],
      registers: [this.registry],
    });
  }
}
