import { Command } from 'commander';
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
  accounts.addCommand(createChildCommand());
  return accounts;
}
