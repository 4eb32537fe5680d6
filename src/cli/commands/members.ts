import { Command, Option } from 'commander';
import type { Member } from '../../domain/access/member-service';
import { DomainError } from '../../domain/errors';
import { accessReviewCsv, reviewed } from '../../adapters/reports/access-review';
import { print, withAccount } from '../context';

function line(m: Member): string {
  const from = m.roleSource === 'group' ? `group "${m.roleGroup}"` : (m.roleSource ?? '-');
  return `${m.id}  ${m.userName}  ${m.status}  ${m.role ?? 'no role'} (${from})`;
}

/** Members of an account, as an operator sees and changes them (each change audited as the operator). */
export function membersCommand(): Command {
  const members = new Command('members').description("An account's users, their roles, and removals");
  members
    .command('list')
    .description('List members with their role and where it comes from')
    .requiredOption('--account <id>', 'account id')
    .option('--role <key>', 'only this role ("none" for users without one)')
    .addOption(
      new Option('--status <status>', 'only active or inactive users').choices(['active', 'inactive']),
    )
    .option('--json', 'print JSON lines, one member each')
    .action(
      async (options: { account: string; role?: string; status?: 'active' | 'inactive'; json?: boolean }) => {
        await withAccount(options.account, async (roster, actor) => {
          let after: string | undefined;
          do {
            const page = await roster.services.members.list(actor, {
              role: options.role === 'none' ? null : options.role,
              status: options.status,
              after,
              limit: 500,
            });
            for (const m of page.members) print(options.json === true, m, line(m));
            after = page.nextCursor ?? undefined;
          } while (after);
        });
      },
    );
  members
    .command('set-role')
    .description('Give a role by hand (refused when a mapped IdP group gives the role)')
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--user <idOrUserName>', 'the user')
    .addOption(new Option('--role <key>', 'a role key of the catalogue').conflicts('none'))
    .option('--none', 'take back the role given by hand')
    .option('--json', 'print JSON')
    .action(
      async (options: { account: string; user: string; role?: string; none?: boolean; json?: boolean }) => {
        if (!options.role && !options.none)
          throw DomainError.invalid(
            'cli.role_required',
            'Give --role <key>, or --none to take the role back',
          );
        await withAccount(options.account, async (roster, actor) => {
          const { id } = await roster.services.members.get(actor, options.user);
          await roster.services.roles.assign(actor, id, options.none ? null : (options.role ?? null));
          const member = await roster.services.members.get(actor, id);
          print(options.json === true, member, line(member));
        });
      },
    );
  members
    .command('delete')
    .description('Delete a user (the Owner cannot be deleted: transfer ownership first)')
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--user <idOrUserName>', 'the user')
    .option('--json', 'print JSON')
    .action(async (options: { account: string; user: string; json?: boolean }) => {
      await withAccount(options.account, async (roster, actor) => {
        const { id, userName } = await roster.services.members.get(actor, options.user);
        await roster.services.users.delete(actor, id);
        print(options.json === true, { userId: id, userName, deleted: true }, `Deleted ${userName}.`);
      });
    });
  members
    .command('review')
    .description('The access review: every member, role and source, permissions, status, last login, MFA')
    .requiredOption('--account <id>', 'account id')
    .addOption(new Option('--csv', 'print CSV instead of JSON').conflicts('json'))
    .option('--json', 'print JSON (the default)')
    .action(async (options: { account: string; csv?: boolean; json?: boolean }) => {
      await withAccount(options.account, async (roster, actor) => {
        const members = (await roster.services.members.review(actor)).map(reviewed);
        process.stdout.write(
          options.csv ? accessReviewCsv(members) : `${JSON.stringify(members, null, 2)}\n`,
        );
      });
    });
  return members;
}
