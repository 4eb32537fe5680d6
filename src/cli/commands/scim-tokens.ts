import { Command } from 'commander';
import { print, withAccount } from '../context';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function scimTokensCommand(): Command {
  const tokens = new Command('scim-tokens').description(
    "Issue, list and revoke an account's SCIM bearer tokens",
  );
  tokens
    .command('issue')
    .description('Issue a new token (for rotation: issue, switch the IdP over, then revoke the old one)')
    .requiredOption('--account <id>', 'account id')
    .option('--label <label>', 'a name to recognise the token by', 'SCIM token')
    .option('--json', 'print one JSON object')
    .action(async (options: { account: string; label: string; json?: boolean }) => {
      await withAccount(options.account, async (roster, actor) => {
        const { token, secret } = await roster.services.tokens.issue(actor, options.label);
        const result = {
          accountId: token.accountId,
          tokenId: token.id,
          label: token.label,
          scimToken: secret,
        };
        print(
          options.json === true,
          { ...result, scimBaseUrl: roster.scimBaseUrl },
          `Token ${token.id} (${token.label}) issued; shown this once:\n  ${secret}`,
        );
      });
    });
  tokens
    .command('list')
    .description('List tokens with their created and last-used times (never the token itself)')
    .requiredOption('--account <id>', 'account id')
    .option('--json', 'print JSON')
    .action(async (options: { account: string; json?: boolean }) => {
      await withAccount(options.account, async (roster, actor) => {
        const list = await roster.services.tokens.list(actor);
        const rows = list.map((t) => ({
          tokenId: t.id,
          label: t.label,
          created: iso(t.created),
          lastUsed: iso(t.lastUsed),
          revoked: iso(t.revoked),
        }));
        const human = rows
          .map(
            (r) =>
              `${r.tokenId}  ${r.label}  created ${r.created}  last used ${r.lastUsed ?? 'never'}` +
              (r.revoked ? `  REVOKED ${r.revoked}` : ''),
          )
          .join('\n');
        print(options.json === true, rows, human || 'No tokens.');
      });
    });
  tokens
    .command('revoke')
    .description('Revoke a token; the next request that uses it is refused')
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--token <tokenId>', 'the token id shown by list')
    .option('--json', 'print JSON')
    .action(async (options: { account: string; token: string; json?: boolean }) => {
      await withAccount(options.account, async (roster, actor) => {
        await roster.services.tokens.revoke(actor, options.token);
        print(
          options.json === true,
          { tokenId: options.token, revoked: true },
          `Token ${options.token} revoked.`,
        );
      });
    });
  return tokens;
}
