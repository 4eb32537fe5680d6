import type { Logger } from 'pino';
import type { Job } from './job';
import type { JobRunner } from './runner';

/**
 * Runs every job on an interval in the server. Each run takes the job's lease first, so with
 * several instances one of them does the work and the others log that it was held. A job that
 * names a shorter interval of its own (`everySeconds`) runs on that one: a product must learn
 * that a sign-in ended within seconds, not at the next five-minute tick.
 */
export function scheduleJobs(runner: JobRunner, intervalSeconds: number, logger: Logger): () => void {
  if (intervalSeconds <= 0) return () => undefined;
  const byInterval = new Map<number, Job[]>();
  for (const job of runner.jobs) {
    const seconds = Math.min(job.everySeconds ?? intervalSeconds, intervalSeconds);
    byInterval.set(seconds, [...(byInterval.get(seconds) ?? []), job]);
  }
  const timers = [...byInterval].map(([seconds, jobs]) => {
    const timer = setInterval(ticker(runner, jobs, logger), seconds * 1000);
    timer.unref();
    return timer;
  });
  return () => timers.forEach((timer) => clearInterval(timer));
}

/** One interval's run of its jobs, in turn; a tick while the last one still runs is skipped. */
function ticker(runner: JobRunner, jobs: readonly Job[], logger: Logger): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      for (const job of jobs) {
        try {
          const result = await runner.run(job.name);
          // A job every few seconds would fill the log: its outcomes are debug lines (the audit log has what it did).
          if (result.ran)
            logger[job.everySeconds ? 'debug' : 'info'](
              { job: job.name, outcome: result.outcome },
              'job finished',
            );
          else logger.debug({ job: job.name, heldBy: result.heldBy }, 'job lease held elsewhere');
        } catch (err) {
          logger.error({ err, job: job.name }, 'job failed');
        }
      }
    } finally {
      running = false;
    }
  };
  return () => void tick();
}
