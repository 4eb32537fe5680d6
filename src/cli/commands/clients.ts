import { Command } from 'commander';
import { DomainError } from '../../domain/errors';
import { operatorName, print, withRoster } from '../context';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const collect = (value: string, previous: string[]) => [...previous, value];

/** `roster clients`: the products that sign their users in through Roster (OpenID Connect). */
export function clientsCommand(): Command {
  const clients = new Command('clients').description(
    'Register, list and revoke the products that sign people in through Roster (OpenID Connect clients)',
  );
  clients
    .command('create')
    .description('Register a product; prints its client id and a secret shown this once')
    .requiredOption('--name <name>', 'what the product is called')
    .requiredOption('--redirect-uri <uri>', 'an exact redirect URI (repeat for several)', collect, [])
    .option('--post-logout-redirect-uri <uri>', 'where logout may send the browser (repeatable)', collect, [])
    .option('--backchannel-logout-uri <uri>', 'where Roster posts a logout token when it ends a session')
    .option(
      '--auth-method <method>',
      'client_secret_basic (default) or client_secret_post',
      'client_secret_basic',
    )
    .option('--json', 'print one JSON object')
    .action(
      async (options: {
        name: string;
        redirectUri: string[];
        postLogoutRedirectUri: string[];
        backchannelLogoutUri?: string;
        authMethod: string;
        json?: boolean;
      }) => {
        if (options.authMethod !== 'client_secret_basic' && options.authMethod !== 'client_secret_post') {
          throw DomainError.invalid(
            'client.auth_method_invalid',
            '--auth-method is client_secret_basic or client_secret_post',
          );
        }
        const authMethod = options.authMethod;
        await withRoster(async (roster) => {
          const { client, secret } = await roster.services.clients.register(operatorName(), {
            name: options.name,
            redirectUris: options.redirectUri,
            postLogoutRedirectUris: options.postLogoutRedirectUri,
            backchannelLogoutUri: options.backchannelLogoutUri ?? null,
            authMethod,
          });
          const result = {
            clientId: client.id,
            clientSecret: secret,
            name: client.name,
            issuer: roster.oidcIssuer,
            redirectUris: client.redirectUris,
            postLogoutRedirectUris: client.postLogoutRedirectUris,
            backchannelLogoutUri: client.backchannelLogoutUri,
            tokenEndpointAuthMethod: client.authMethod,
          };
          print(
            options.json === true,
            result,
            `Client ${client.id} (${client.name}) registered. Issuer: ${roster.oidcIssuer}\n` +
              `Client secret, shown this once:\n  ${secret}`,
          );
        });
      },
    );
  clients
    .command('list')
    .description('List registered products (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withRoster(async (roster) => {
        const rows = (await roster.services.clients.list()).map((c) => ({
          clientId: c.id,
          name: c.name,
          redirectUris: c.redirectUris,
          backchannelLogoutUri: c.backchannelLogoutUri,
          created: iso(c.created),
          createdBy: c.createdBy,
          revoked: iso(c.revoked),
        }));
        const human = rows
          .map(
            (r) =>
              `${r.clientId}  ${r.name}  ${r.redirectUris.join(' ')}${r.revoked ? `  REVOKED ${r.revoked}` : ''}`,
          )
          .join('\n');
        print(options.json === true, rows, human || 'No clients.');
      });
    });
  clients
    .command('revoke')
    .description('Revoke a product: its secret, codes and tokens stop working at once')
    .requiredOption('--client <clientId>', 'the client id')
    .option('--json', 'print JSON')
    .action(async (options: { client: string; json?: boolean }) => {
      await withRoster(async (roster) => {
        await roster.services.clients.revoke(operatorName(), options.client);
        print(
          options.json === true,
          { clientId: options.client, revoked: true },
          `Client ${options.client} revoked.`,
        );
      });
    });
  return clients;
}
