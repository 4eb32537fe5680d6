import type { Logger } from 'pino';
import type { JobRunner } from './runner';

/**
 * Runs every job on an interval in the server. Each run takes the job's lease first, so with
 * several instances one of them does the work and the others log that it was held.
 */
export function scheduleJobs(runner: JobRunner, intervalSeconds: number, logger: Logger): () => void {
  if (intervalSeconds <= 0) return () => undefined;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      for (const job of runner.jobs) {
        try {
          const result = await runner.run(job.name);
          if (result.ran) logger.info({ job: job.name, outcome: result.outcome }, 'job finished');
          else logger.debug({ job: job.name, heldBy: result.heldBy }, 'job lease held elsewhere');
        } catch (err) {
          logger.error({ err, job: job.name }, 'job failed');
        }
      }
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
