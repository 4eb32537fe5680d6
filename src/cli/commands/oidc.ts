import { Command } from 'commander';
import { DomainError } from '../../domain/errors';
import { print, withAccount, withRoster } from '../context';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** `roster domains`: the email domains an account claims (login_hint routing). */
export function domainsCommand(): Command {
  const domains = new Command('domains').description(
    "Claim, list and release an account's email domains (a product's login_hint finds the account by them)",
  );
  domains
    .command('claim')
    .description('Claim a domain for the account; two accounts never hold one')
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--domain <domain>', 'e.g. acme.com')
    .option('--json', 'print JSON')
    .action(async (options: { account: string; domain: string; json?: boolean }) => {
      await withAccount(options.account, async (roster, actor) => {
        const claim = await roster.services.domains.claim(actor, options.domain);
        print(
          options.json === true,
          { accountId: claim.accountId, domain: claim.domain },
          `${claim.domain} claimed.`,
        );
      });
    });
  domains
    .command('list')
    .requiredOption('--account <id>', 'account id')
    .option('--json', 'print JSON')
    .action(async (options: { account: string; json?: boolean }) => {
      await withAccount(options.account, async (roster, actor) => {
        const list = await roster.services.domains.list(actor);
        const rows = list.map((d) => ({ domain: d.domain, created: iso(d.created), createdBy: d.createdBy }));
        print(options.json === true, rows, rows.map((r) => r.domain).join('\n') || 'No domains.');
      });
    });
  domains
    .command('release')
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--domain <domain>', 'the domain')
    .option('--json', 'print JSON')
    .action(async (options: { account: string; domain: string; json?: boolean }) => {
      await withAccount(options.account, async (roster, actor) => {
        await roster.services.domains.release(actor, options.domain);
        print(
          options.json === true,
          { accountId: options.account, domain: options.domain, released: true },
          `${options.domain} released.`,
        );
      });
    });
  return domains;
}

/** `roster oidc keys …`: the ID token signing keys. */
export function oidcCommand(): Command {
  const oidc = new Command('oidc').description('The sign-in hand-off (OpenID Provider): its signing keys');
  const keys = oidc.command('keys').description('ID token signing keys (sealed in the database)');
  keys
    .command('list')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withRoster(async (roster) => {
        const service = signingKeys(roster.services.signingKeys);
        const rows = (await service.list()).map((k) => ({
          kid: k.kid,
          alg: k.alg,
          created: iso(k.created),
          retired: iso(k.retired),
        }));
        print(
          options.json === true,
          rows,
          rows
            .map(
              (r) =>
                `${r.kid}  ${r.alg}  created ${r.created}${r.retired ? `  retired ${r.retired}` : '  current'}`,
            )
            .join('\n') || 'No keys yet (the server makes one at its first start).',
        );
      });
    });
  keys
    .command('rotate')
    .description('Make a new signing key; the old one stays published until the tokens it signed expire')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withRoster(async (roster) => {
        const rotated = await signingKeys(roster.services.signingKeys).rotate();
        print(
          options.json === true,
          rotated,
          `New signing key ${rotated.kid}; retired ${rotated.retired.join(', ') || 'none'} (still published for 2 hours). ` +
            'Running servers sign with the new key within 10 seconds.',
        );
      });
    });
  return oidc;
}

function signingKeys<T>(service: T | null): T {
  if (!service) {
    throw DomainError.invalid('oidc.unavailable', 'The sign-in hand-off is off: set OIDC_KEY_ENCRYPTION_KEY');
  }
  return service;
}
