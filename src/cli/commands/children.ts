import { Command, Option } from 'commander';
import type { AccountAccess } from '../../domain/accounts/child-account-service';
import { print, withAccount } from '../context';

/** `roster accounts create-child`: a child account of an account, its Owner a managed user from the parent. */
export function createChildCommand(): Command {
  return new Command('create-child')
    .description("Create a child account (one level); its Owner is the parent's Owner unless --owner")
    .requiredOption('--parent <id>', 'the parent account id')
    .requiredOption('--name <name>', 'the child account name')
    .option('--owner <idOrUserName>', "a user of the parent; default: the parent's Owner")
    .option('--json', 'print one JSON object')
    .action(async (options: { parent: string; name: string; owner?: string; json?: boolean }) => {
      await withAccount(options.parent, async (roster, actor) => {
        const { account, owner } = await roster.services.children.createChild(actor, {
          name: options.name,
          owner: options.owner,
        });
        const result = {
          accountId: account.id,
          name: account.name,
          parentId: options.parent,
          ownerUserId: owner.id,
          ownerEmail: owner.userName,
        };
        print(
          options.json === true,
          result,
          [
            `Child account "${account.name}" created.`,
            `  account id: ${account.id}`,
            `  owner:      ${owner.userName} (${owner.id})`,
            'It has no SCIM token yet: `roster scim-tokens issue --account <id>` when it needs one.',
          ].join('\n'),
        );
      });
    });
}

function line(a: AccountAccess): string {
  return `${a.accountId}  ${a.name}  ${a.kind}  ${a.access ? `yes (${a.role ?? 'no role'})` : 'no'}`;
}

/** `roster access`: who of a parent account may enter which child account, and as what. */
export function accessCommand(): Command {
  const access = new Command('access').description("A parent account's users' access to its child accounts");
  access
    .command('set')
    .description('Give (with --role), change or take away a user’s access to a child account')
    .requiredOption('--account <id>', 'the parent account id')
    .requiredOption('--user <idOrUserName>', 'a user of the parent account')
    .requiredOption('--child <id>', 'the child account id')
    .addOption(
      new Option('--access <yesNo>', 'whether the user has access')
        .choices(['yes', 'no'])
        .makeOptionMandatory(),
    )
    .option('--role <key>', 'the role in the child (needed the first time access is given)')
    .option('--json', 'print JSON lines, one account each')
    .action(
      async (options: {
        account: string;
        user: string;
        child: string;
        access: 'yes' | 'no';
        role?: string;
        json?: boolean;
      }) => {
        await withAccount(options.account, async (roster, actor) => {
          const result = await roster.services.children.setAccess(actor, options.user, options.child, {
            access: options.access === 'yes',
            role: options.role,
          });
          for (const a of result) print(options.json === true, a, line(a));
        });
      },
    );
  access
    .command('show')
    .description('The accounts a user can access: their own and each child, with the role there')
    .requiredOption('--account <id>', 'the parent account id')
    .requiredOption('--user <idOrUserName>', 'a user of the account')
    .option('--json', 'print JSON lines, one account each')
    .action(async (options: { account: string; user: string; json?: boolean }) => {
      await withAccount(options.account, async (roster, actor) => {
        const result = await roster.services.children.accessOf(actor, options.user);
        for (const a of result) print(options.json === true, a, line(a));
      });
    });
  return access;
}
