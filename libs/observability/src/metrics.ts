import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric Faultline exports, named in one place. Outcomes and reasons are labels,
 * so "what happened to each message" is one query in Prometheus.
 * One instance per process, injected; nothing registers on prom-client's global registry.
 */
export class Metrics {
  readonly registry = new Registry();

  /** Every message or record a stage handled, by what became of it. */
  readonly events = new Counter({
    name: 'faultline_events_total',
    help: 'Messages and records handled, by stage, outcome (processed | dead_lettered | ignored | rejected) and reason',
    labelNames: ['stage', 'outcome', 'reason'] as const,
    registers: [this.registry],
  });

  readonly ingestRequests = new Counter({
    name: 'faultline_ingest_requests_total',
    help: 'Gateway requests by endpoint and outcome (accepted | refused reason)',
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly batchSize = new Histogram({
    name: 'faultline_batch_size',
    help: 'Messages per consumed batch',
    labelNames: ['consumer'] as const,
    buckets: [1, 10, 50, 100, 500, 1000, 2000, 5000, 10000],
    registers: [this.registry],
  });

  readonly batchDuration = new Histogram({
    name: 'faultline_batch_duration_seconds',
    help: 'Time to process one batch, from receipt to offset commit',
    labelNames: ['consumer'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [this.registry],
  });

  readonly consumerLag = new Gauge({
    name: 'faultline_consumer_lag',
    help: 'Messages behind the partition high watermark',
    labelNames: ['group', 'topic', 'partition'] as const,
    registers: [this.registry],
  });

  readonly insertDuration = new Histogram({
    name: 'faultline_clickhouse_insert_duration_seconds',
    help: 'ClickHouse insert latency by table',
    labelNames: ['table'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    registers: [this.registry],
  });

  readonly insertedRows = new Counter({
    name: 'faultline_clickhouse_inserted_rows_total',
    help: 'Rows inserted by table',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });

  readonly signals = new Counter({
    name: 'faultline_signals_total',
    help: 'Signals emitted by kind (issue.new, cluster.new, spike, regression)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly alerts = new Counter({
    name: 'faultline_alerts_total',
    help: 'Alert deliveries by trigger, target kind and outcome (sent | failed | suppressed)',
    labelNames: ['trigger', 'target', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly llmRequests = new Counter({
    name: 'faultline_llm_requests_total',
    help: 'LLM requests by outcome (ok | retried | failed | budget_exceeded)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly llmTokens = new Counter({
    name: 'faultline_llm_tokens_total',
    help: 'LLM tokens by kind (input | output | cache_read | cache_write)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly llmCost = new Counter({
    name: 'faultline_llm_cost_usd_total',
    help: 'Estimated LLM spend in US dollars',
    registers: [this.registry],
  });

  readonly analyses = new Counter({
    name: 'faultline_analyses_total',
    help: 'Analyses written, by analyzer (claude | heuristic) and outcome',
    labelNames: ['analyzer', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'faultline_process_' });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
