import { DomainError } from '../domain/errors';
import type { Clock, JobLease, UnitOfWork } from '../domain/ports';
import type { Job } from './job';

export type JobRunResult =
  | { ran: true; job: string; outcome: string }
  | { ran: false; job: string; heldBy: string | null; leaseUntil: number | null };

export interface JobStatus extends JobLease {
  description: string;
}

/** Told of every run (the metrics): `held` when another instance had the lease. */
export type JobObserver = (
  job: string,
  outcome: 'ok' | 'failed' | 'held',
  seconds: number,
  at: number,
) => void;

/**
 * Runs jobs under a lease held in the database, so that of several instances (or a server and an
 * operator's `roster jobs run`) exactly one runs a job at a time. A lease expires by itself, so a
 * killed instance never blocks a job for longer than the lease; a long run renews it as it goes.
 */
export class JobRunner {
  private readonly byName: Map<string, Job>;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    jobs: readonly Job[],
    /** Names this process in the lease, e.g. host:pid. */
    private readonly holder: string,
    private readonly leaseMs = 10 * 60_000,
    private readonly observe: JobObserver = () => undefined,
  ) {
    this.byName = new Map(jobs.map((job) => [job.name, job]));
  }

  get jobs(): Job[] {
    return [...this.byName.values()];
  }

  async run(name: string): Promise<JobRunResult> {
    const job = this.byName.get(name);
    if (!job) {
      const known = [...this.byName.keys()].join(', ') || 'none';
      throw DomainError.notFound('job.unknown', `No job "${name}"; jobs: ${known}`);
    }
    const now = this.clock.now();
    const acquired = await this.uow.write(null, (tx) =>
      tx.jobLeases.acquire(name, this.holder, now, now + this.leaseMs),
    );
    if (!acquired) {
      this.observe(name, 'held', 0, now);
      const lease = (await this.status()).find((l) => l.name === name);
      return { ran: false, job: name, heldBy: lease?.holder ?? null, leaseUntil: lease?.leaseUntil ?? null };
    }
    const heartbeat = setInterval(() => void this.renew(name), Math.max(1_000, this.leaseMs / 3));
    heartbeat.unref();
    let outcome = 'failed';
    const started = performance.now();
    let failed = true;
    try {
      outcome = await job.run(now);
      failed = false;
      return { ran: true, job: name, outcome };
    } catch (err) {
      outcome = `failed: ${err instanceof Error ? err.message : String(err)}`;
      throw err;
    } finally {
      clearInterval(heartbeat);
      this.observe(name, failed ? 'failed' : 'ok', (performance.now() - started) / 1000, this.clock.now());
      await this.uow.write(null, (tx) => tx.jobLeases.release(name, this.holder, this.clock.now(), outcome));
    }
  }

  /** Every job with its lease and last run. */
  async status(): Promise<JobStatus[]> {
    const leases = new Map((await this.uow.read((tx) => tx.jobLeases.list())).map((l) => [l.name, l]));
    return this.jobs.map((job) => ({
      name: job.name,
      description: job.description,
      holder: null,
      leaseUntil: null,
      lastStartedAt: null,
      lastFinishedAt: null,
      lastOutcome: null,
      ...leases.get(job.name),
    }));
  }

  private async renew(name: string): Promise<void> {
    await this.uow.write(null, (tx) =>
      tx.jobLeases.renew(name, this.holder, this.clock.now() + this.leaseMs),
    );
  }
}
