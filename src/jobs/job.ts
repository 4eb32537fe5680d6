/**
 * A sweep Roster runs by itself (on an interval in the server) or on demand (`roster jobs run`).
 * Each run must be safe to repeat and safe to stop anywhere: it does its work in transactions of
 * its own, each complete, and decides what to do from the database, never from a previous run.
 */
export interface Job {
  readonly name: string;
  readonly description: string;
  /** Runs at least this often in the server, when JOBS_INTERVAL_SECONDS is longer. */
  readonly everySeconds?: number;
  /** Does what is due at `now`; returns a one-line summary for the operator. */
  run(now: number): Promise<string>;
}
