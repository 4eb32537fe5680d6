import { Command, InvalidArgumentError, Option } from 'commander';
import { grantDays, type GrantLength } from '../../domain/support-access/support-access-service';
import { print, withAccount } from '../context';

function untilDate(value: string): number {
  const at = Date.parse(value);
  if (Number.isNaN(at))
    throw new InvalidArgumentError('give a date, e.g. 2026-12-31 or 2026-12-31T17:00:00Z');
  // A bare date means the end of that day (UTC): "until the 31st" includes the 31st.
  return /^\d{4}-\d\d-\d\d$/.test(value) ? at + 24 * 60 * 60_000 - 1 : at;
}

/** Support access (shared/seeds/002) from the operator's side: grants, and sessions for support agents. */
export function supportCommand(): Command {
  const support = new Command('support').description("Time-limited access for the vendor's support staff");
  support
    .command('grant')
    .description('Grant support access (as the account would; audited as the operator)')
    .requiredOption('--account <id>', 'account id')
    .addOption(new Option('--days <n>', 'length').choices(grantDays.map(String)).conflicts('until'))
    .addOption(new Option('--until <date>', 'end date, at most 90 days ahead').argParser(untilDate))
    .option('--json', 'print JSON')
    .action(async (options: { account: string; days?: string; until?: number; json?: boolean }) => {
      if (options.days === undefined && options.until === undefined) {
        throw new InvalidArgumentError('give --days or --until');
      }
      const length: GrantLength =
        options.until !== undefined
          ? { until: options.until }
          : { days: Number(options.days) as GrantLength extends { days: infer D } ? D : never };
      await withAccount(options.account, async (roster, actor) => {
        const grant = await roster.services.support.grant(actor, length);
        const expires = new Date(grant.expires).toISOString();
        print(
          options.json === true,
          { grantId: grant.id, expires },
          `Support access granted until ${expires}.`,
        );
      });
    });
  support
    .command('list')
    .description('Support grants with who granted them and when they end')
    .requiredOption('--account <id>', 'account id')
    .option('--json', 'print JSON')
    .action(async (options: { account: string; json?: boolean }) => {
      await withAccount(options.account, async (roster, actor) => {
        const grants = await roster.services.support.list(actor);
        const now = Date.now();
        const lines = grants.map((g) => {
          const state = g.ended !== null ? (g.endReason ?? 'ended') : g.expires > now ? 'active' : 'expired';
          return `${g.id}  ${state}  granted by ${g.grantedByName}  until ${new Date(g.expires).toISOString()}`;
        });
        print(options.json === true, grants, lines.join('\n') || 'No support grants.');
      });
    });
  support
    .command('revoke')
    .description('End a support grant now')
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--grant <id>', 'grant id (see support list)')
    .option('--json', 'print JSON')
    .action(async (options: { account: string; grant: string; json?: boolean }) => {
      await withAccount(options.account, async (roster, actor) => {
        const grant = await roster.services.support.revoke(actor, options.grant);
        print(options.json === true, grant, 'Support access revoked.');
      });
    });
  support
    .command('session')
    .description("Open a session for a support agent under the account's active grant (shown once)")
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--agent <name>', 'who will use it; every action is audited as this agent')
    .option('--json', 'print JSON')
    .action(async (options: { account: string; agent: string; json?: boolean }) => {
      await withAccount(options.account, async (roster, actor) => {
        const opened = await roster.services.support.openSession(actor, options.agent);
        const expires = new Date(opened.expires).toISOString();
        print(
          options.json === true,
          { sessionId: opened.session.id, secret: opened.secret, expires },
          `Support session for ${opened.session.agent}, valid while the grant lasts (until ${expires}):\n${opened.secret}`,
        );
      });
    });
  return support;
}
