import { Command } from 'commander';
import type { RosterCore } from '../../composition-core';
import type { AccountId } from '../../domain/ids';
import type { RosterEvent } from '../../domain/events/event-types';
import { DomainError } from '../../domain/errors';
import { accountOperator, withRoster } from '../context';

interface TailOptions {
  account?: string;
  after?: string;
  type?: string;
  limit: string;
  follow?: boolean;
  interval: string;
  json?: boolean;
}

export function eventsCommand(): Command {
  const events = new Command('events').description('The change feed (docs/events.md)');
  events
    .command('tail')
    .description(
      "Print the change feed, oldest first: one account's (--account) or every account's; " +
        '--follow keeps printing new events until interrupted',
    )
    .option('--account <id>', "only this account's events")
    .option('--after <cursor>', 'start after this cursor (a nextCursor), not at the oldest event kept')
    .option('--type <types>', 'only these types, comma-separated (user.deactivated,session.ended)')
    .option('--limit <n>', 'events read per page (1 to 1000)', '100')
    .option('--follow', 'keep reading new events until interrupted (Ctrl-C)')
    .option('--interval <seconds>', 'with --follow, how often to look for new events', '1')
    .option('--json', 'print each event as one line of JSON')
    .action(async (options: TailOptions) => {
      const intervalMs = Number(options.interval) * 1000;
      if (!Number.isFinite(intervalMs) || intervalMs < 100 || intervalMs > 3_600_000) {
        throw DomainError.invalid('events.interval_invalid', '--interval must be from 0.1 to 3600 seconds');
      }
      await withRoster(async (roster) => {
        if (options.account) await accountOperator(roster, options.account);
        await tail(roster, options, intervalMs);
      });
    });
  return events;
}

async function tail(roster: RosterCore, options: TailOptions, intervalMs: number): Promise<void> {
  let stopped = false;
  let wake: () => void = () => undefined;
  const stop = () => {
    stopped = true;
    wake();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let after = options.after;
  try {
    while (!stopped) {
      const page = await roster.services.events.listForOperator({
        ...(options.account ? { accountId: options.account as AccountId } : {}),
        ...(after !== undefined ? { after } : {}),
        limit: Number(options.limit),
        types: options.type?.split(',').map((t) => t.trim()),
      });
      for (const event of page.events)
        process.stdout.write(`${options.json ? JSON.stringify(event) : line(event)}\n`);
      after = page.nextCursor;
      if (page.hasMore) continue;
      if (!options.follow) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, intervalMs);
      });
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  // Where to go on from next time, without mixing it into the events on stdout.
  if (!options.json) process.stderr.write(`roster: next cursor ${after ?? ''} (--after)\n`);
}

function line(event: RosterEvent): string {
  const who = event.subject.email ?? (typeof event.data.userName === 'string' ? event.data.userName : '');
  return [
    event.occurredAt,
    event.accountId,
    `#${event.seq}`.padEnd(6),
    event.type.padEnd(30),
    `${event.subject.type} ${event.subject.id}`,
    who,
  ]
    .filter((part) => part !== '')
    .join('  ');
}
