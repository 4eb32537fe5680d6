import { Command } from 'commander';
import { operatorOn, print, withRoster } from '../context';

interface ApiKeyOptions {
  account: string;
  user?: string;
  service?: boolean;
  label?: string;
  json?: boolean;
}

export function apiKeysCommand(): Command {
  const keys = new Command('api-keys').description(
    'Issue API keys for the admin and authorization API (/api/v1)',
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
      await withRoster(async (roster) => {
        const actor = operatorOn(options.account);
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
  return keys;
}
