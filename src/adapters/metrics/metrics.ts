import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the storage layer reports about its connections when asked (at each scrape). */
export interface PoolState {
  /** Connections (MariaDB) or the one SQLite connection, busy with a unit of work. */
  busy: number;
  idle: number;
  /** Units of work waiting for a connection (MariaDB) or for the SQLite connection's mutex. */
  waiting: number;
}

/** The change feed reports through this once it exists (outbox lag, failed webhook deliveries). */
export interface OutboxMetrics {
  /** Seconds between the oldest undelivered event's commit and now; 0 when nothing waits. */
  setLag(seconds: number): void;
  deliveryFailed(destination: string): void;
}

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const queryBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5];

/**
 * Roster's Prometheus metrics (prom-client), in one registry per server: request latency per
 * route pattern and status (its `_count` is the request rate), SQL statement time, the database
 * connection pool, job runs, and Node's own (event-loop lag, heap, CPU, RSS). Created only when
 * METRICS_TOKEN is set; otherwise nothing is measured at all.
 */
export class RosterMetrics {
  readonly registry = new Registry();
  private readonly http: Histogram<'method' | 'route' | 'status'>;
  private readonly queries: Histogram<'kind'>;
  private readonly jobRuns: Counter<'job' | 'outcome'>;
  private readonly jobSeconds: Histogram<'job'>;
  private readonly jobLastSuccess: Gauge<'job'>;
  private outboxMetrics: OutboxMetrics | undefined;

  constructor(dialect: 'sqlite' | 'mysql', pool: () => PoolState) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ database: dialect === 'sqlite' ? 'sqlite' : 'mariadb' });
    // Event-loop lag (nodejs_eventloop_lag_seconds and its percentiles), heap, GC, CPU, RSS.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
    this.http = new Histogram({
      name: 'roster_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route pattern and status; _count is the request count',
      labelNames: ['method', 'route', 'status'],
      buckets: latencyBuckets,
      registers,
    });
    this.queries = new Histogram({
      name: 'roster_db_query_duration_seconds',
      help: 'Time of one SQL statement, reads and writes',
      labelNames: ['kind'],
      buckets: queryBuckets,
      registers,
    });
    const poolGauge = (name: string, help: string, read: (state: PoolState) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read(pool()));
        },
      });
    poolGauge(
      'roster_db_pool_busy_connections',
      'Database connections busy with a unit of work',
      (s) => s.busy,
    );
    poolGauge('roster_db_pool_idle_connections', 'Database connections open and free', (s) => s.idle);
    poolGauge(
      'roster_db_pool_waiting',
      'Units of work waiting for a connection (MariaDB) or for the SQLite connection',
      (s) => s.waiting,
    );
    this.jobRuns = new Counter({
      name: 'roster_job_runs_total',
      help: 'Job runs by job and outcome (ok, failed, held: another instance had the lease)',
      labelNames: ['job', 'outcome'],
      registers,
    });
    this.jobSeconds = new Histogram({
      name: 'roster_job_duration_seconds',
      help: 'Time of a job run that held the lease',
      labelNames: ['job'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900],
      registers,
    });
    this.jobLastSuccess = new Gauge({
      name: 'roster_job_last_success_timestamp_seconds',
      help: 'When a job last finished without failing (Unix time)',
      labelNames: ['job'],
      registers,
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.http.observe({ method, route, status: String(status) }, seconds);
  }

  observeQuery(kind: 'read' | 'write', seconds: number): void {
    this.queries.observe({ kind }, seconds);
  }

  observeJob(job: string, outcome: 'ok' | 'failed' | 'held', seconds: number, finishedAt: number): void {
    this.jobRuns.inc({ job, outcome });
    if (outcome === 'held') return;
    this.jobSeconds.observe({ job }, seconds);
    if (outcome === 'ok') this.jobLastSuccess.set({ job }, finishedAt / 1000);
  }

  /**
   * The change feed's metrics, registered on first use so that no outbox series is exported (as
   * a misleading 0) before a change feed reports anything.
   */
  outbox(): OutboxMetrics {
    if (this.outboxMetrics) return this.outboxMetrics;
    const registers = [this.registry];
    const lag = new Gauge({
      name: 'roster_outbox_lag_seconds',
      help: 'Age of the oldest change not yet delivered to every consumer',
      registers,
    });
    const failures = new Counter({
      name: 'roster_outbox_delivery_failures_total',
      help: 'Failed deliveries of changes (webhooks, Shared Signals), by destination kind',
      labelNames: ['destination'],
      registers,
    });
    this.outboxMetrics = {
      setLag: (seconds) => lag.set(seconds),
      deliveryFailed: (destination) => failures.inc({ destination }),
    };
    return this.outboxMetrics;
  }

  /** The exposition text (Prometheus text format 0.0.4) and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
