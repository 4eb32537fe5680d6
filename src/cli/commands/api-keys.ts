import { Command } from 'commander';
import type { ApiKeyListing } from '../../domain/ports';
import { DomainError } from '../../domain/errors';
import { accountOperator, print, withAccount, withRoster } from '../context';

interface ApiKeyOptions {
  account: string;
  user?: string;
  service?: boolean;
  label?: string;
  json?: boolean;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function row(key: ApiKeyListing) {
  return {
    apiKeyId: key.id,
    kind: key.kind,
    userId: key.userId,
    userName: key.userName,
    label: key.label,
    created: iso(key.created),
    lastUsed: iso(key.lastUsed),
    revoked: iso(key.revoked),
  };
}

function line(r: ReturnType<typeof row>): string {
  const who = r.kind === 'service' ? 'service key' : `member ${r.userName ?? r.userId}`;
  return (
    `${r.apiKeyId}  ${who}  "${r.label}"  created ${r.created}  last used ${r.lastUsed ?? 'never'}` +
    (r.revoked ? `  REVOKED ${r.revoked}` : '')
  );
}

export function apiKeysCommand(): Command {
  const keys = new Command('api-keys').description(
    'Issue, list and revoke API keys for the admin and authorization API (/api/v1)',
  );
  keys
    .command('create')
    .description("A member's key (acts as that user, with their permissions) or the account's service key")
    .requiredOption('--account <id>', 'account id')
    .option('--user <userName>', 'the member the key acts as (their userName or email)')
    .option('--service', "the account's service key: reads and authorization answers only")
    .option('--label <label>', 'a name to recognise the key by')
    .option('--json', 'print one JSON object')
    .action(async (options: ApiKeyOptions, command: Command) => {
      if (Boolean(options.user) === Boolean(options.service)) {
        command.error('error: give exactly one of --user <userName> or --service');
      }
      await withAccount(options.account, async (roster, actor) => {
        const { key, secret } = options.service
          ? await roster.services.apiKeys.issueService(actor, options.label)
          : await roster.services.apiKeys.issueForMember(actor, options.user as string, options.label);
        print(
          options.json === true,
          { accountId: key.accountId, apiKeyId: key.id, kind: key.kind, userId: key.userId, apiKey: secret },
          `${key.kind === 'service' ? 'Service' : 'Member'} API key ${key.id} issued; shown this once:\n  ${secret}`,
        );
      });
    });
  keys
    .command('list')
    .description('List keys with their user, created and last-used times (never the key itself)')
    .requiredOption('--account <id>', 'account id')
    .option('--json', 'print JSON')
    .action(async (options: { account: string; json?: boolean }) => {
      await withAccount(options.account, async (roster, actor) => {
        const rows = (await roster.services.apiKeys.list(actor)).map(row);
        print(options.json === true, rows, rows.map(line).join('\n') || 'No API keys.');
      });
    });
  keys
    .command('revoke')
    .description(
      'Revoke a key, by its id or by the leaked key itself; the next request that uses it is refused',
    )
    .option('--account <id>', 'account id (not needed when --key is the key itself)')
    .requiredOption('--key <idOrKey>', 'the key id shown by list, or the key (rak_…)')
    .option('--json', 'print JSON')
    .action(async (options: { account?: string; key: string; json?: boolean }, command: Command) => {
      const isSecret = options.key.startsWith('rak_');
      if (!options.account && !isSecret)
        command.error('error: give --account <id>, or the key itself (rak_…) as --key');
      await withRoster(async (roster) => {
        const found = isSecret ? await roster.services.apiKeys.identify(options.key) : null;
        if (isSecret && !found)
          throw DomainError.notFound('api_key.not_found', 'This key was never issued here');
        const actor = await accountOperator(roster, options.account ?? found?.accountId ?? '');
        if (isSecret && found?.accountId !== actor.accountId) {
          throw DomainError.notFound('api_key.not_found', 'This key is no API key of the account');
        }
        const revoked = row(await roster.services.apiKeys.revoke(actor, found?.keyId ?? options.key));
        print(options.json === true, revoked, `API key ${revoked.apiKeyId} (${revoked.label}) revoked.`);
      });
    });
  return keys;
}
