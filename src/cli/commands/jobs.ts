import { Command } from 'commander';
import { print, withRoster } from '../context';

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

/** The sweeps: the server runs them on an interval; an operator can run one now. */
export function jobsCommand(): Command {
  const jobs = new Command('jobs').description('Sweeps: list them, or run one now (under its lease)');
  jobs
    .command('list')
    .description('Each job with its last run and who holds its lease')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withRoster(async (roster) => {
        const status = await roster.jobs.status();
        const lines = status.map(
          (s) =>
            `${s.name}  ${s.description}\n  last run ${iso(s.lastFinishedAt)}: ${s.lastOutcome ?? '-'}` +
            (s.holder ? `\n  running on ${s.holder} (lease until ${iso(s.leaseUntil)})` : ''),
        );
        print(options.json === true, status, lines.join('\n'));
      });
    });
  jobs
    .command('run')
    .description('Run a job now; if another instance holds its lease, say so and do nothing')
    .argument('<name>', 'the job (see jobs list)')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      await withRoster(async (roster) => {
        const result = await roster.jobs.run(name);
        const human = result.ran
          ? `${name}: ${result.outcome}`
          : `${name} is running on ${result.heldBy ?? 'another instance'} (lease until ${iso(result.leaseUntil)}); nothing done.`;
        print(options.json === true, result, human);
        if (!result.ran) process.exitCode = 3;
      });
    });
  return jobs;
}
