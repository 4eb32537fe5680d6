import type { JobLease, JobLeaseRepository } from '../../../domain/ports';
import { uniqueViolation } from '../db-errors';
import type { SqlRunner } from '../sql-runner';
import { numOrNull } from './sql';

/** Leases by compare-and-set on one row per job: the database decides, so two instances never both win. */
export class JobLeaseRepositorySql implements JobLeaseRepository {
  constructor(private readonly sql: SqlRunner) {}

  async acquire(name: string, holder: string, now: number, until: number): Promise<boolean> {
    const taken = await this.sql.run(
      `UPDATE job_leases SET holder = ?, lease_until = ?, last_started_at = ?
        WHERE name = ? AND (holder IS NULL OR lease_until < ? OR holder = ?)`,
      [holder, until, now, name, now, holder],
    );
    if (taken > 0) return true;
    try {
      await this.sql.run(
        'INSERT INTO job_leases (name, holder, lease_until, last_started_at) VALUES (?, ?, ?, ?)',
        [name, holder, until, now],
      );
      return true;
    } catch (err) {
      // The row exists and someone else holds it (or inserted it a moment ago).
      if (uniqueViolation(err) !== null) return false;
      throw err;
    }
  }

  async renew(name: string, holder: string, until: number): Promise<boolean> {
    const renewed = await this.sql.run(
      'UPDATE job_leases SET lease_until = ? WHERE name = ? AND holder = ?',
      [until, name, holder],
    );
    return renewed > 0;
  }

  async release(name: string, holder: string, finishedAt: number, outcome: string): Promise<void> {
    await this.sql.run(
      `UPDATE job_leases SET holder = NULL, lease_until = NULL, last_finished_at = ?, last_outcome = ?
        WHERE name = ? AND holder = ?`,
      [finishedAt, outcome.slice(0, 1000), name, holder],
    );
  }

  async list(): Promise<JobLease[]> {
    const rows = await this.sql.all<Record<string, unknown>>('SELECT * FROM job_leases ORDER BY name');
    return rows.map((row) => ({
      name: row.name as string,
      holder: (row.holder as string | null) ?? null,
      leaseUntil: numOrNull(row.lease_until),
      lastStartedAt: numOrNull(row.last_started_at),
      lastFinishedAt: numOrNull(row.last_finished_at),
      lastOutcome: (row.last_outcome as string | null) ?? null,
    }));
  }
}
