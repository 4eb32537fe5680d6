import { Command, InvalidArgumentError } from 'commander';
import { operatorName, operatorOn, print, withRoster } from '../context';
import { createChildCommand } from './children';

export function accountsCommand(): Command {
  const accounts = new Command('accounts').description('Create and inspect customer accounts');
  accounts
    .command('create')
    .description('Create an account with its Owner and a first SCIM token (shown once)')
    .requiredOption('--name <name>', 'the customer name')
    .requiredOption('--owner-email <email>', "the Owner's email; also their userName")
    .option('--json', 'print one JSON object')
    .action(async (options: { name: string; ownerEmail: string; json?: boolean }) => {
      await withRoster(async (roster) => {
        const { account, owner } = await roster.services.accounts.create(operatorName(), {
          name: options.name,
          ownerEmail: options.ownerEmail,
        });
        const issued = await roster.services.tokens.issue(operatorOn(account.id), 'initial');
        const result = {
          accountId: account.id,
          name: account.name,
          ownerUserId: owner.id,
          ownerEmail: owner.userName,
          scimBaseUrl: roster.scimBaseUrl,
          scimTokenId: issued.token.id,
          scimToken: issued.secret,
        };
        print(
          options.json === true,
          result,
          [
            `Account "${account.name}" created.`,
            `  account id:    ${account.id}`,
            `  owner:         ${owner.userName} (${owner.id})`,
            `  SCIM base URL: ${roster.scimBaseUrl}`,
            `  SCIM token:    ${issued.secret}`,
            '',
            'The token is shown this once and stored only as a hash. Paste the base URL and the token',
            'into your IdP (see README: "Connect Okta" / "Connect Microsoft Entra ID").',
          ].join('\n'),
        );
      });
    });
  accounts
    .command('set-seats')
    .description('Set the seat limit: how many active users the account may have (none: unlimited)')
    .requiredOption('--account <id>', 'the account id')
    .requiredOption('--limit <n>', 'a whole number, or "none"', parseSeatLimit)
    .option('--json', 'print one JSON object')
    .action(async (options: { account: string; limit: number | 'none'; json?: boolean }) => {
      await withRoster(async (roster) => {
        const limit = options.limit === 'none' ? null : options.limit;
        const seats = await roster.services.accounts.setSeatLimit(operatorOn(options.account), limit);
        print(
          options.json === true,
          seats,
          `Seat limit: ${seats.limit ?? 'none'}; seats in use: ${seats.used}`,
        );
      });
    });
  accounts.addCommand(createChildCommand());
  return accounts;
}

/** "none" stays a string: commander keeps the raw text when a parser returns null. */
function parseSeatLimit(value: string): number | 'none' {
  if (value === 'none') return value;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidArgumentError('a whole number of at least 1, or "none"');
  }
  return limit;
}
