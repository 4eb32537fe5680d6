import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { DomainError } from '../../domain/errors';
import type { IdpSource } from '../../domain/sso/sso-config-service';
import type { SsoConfig } from '../../domain/sso/sso-ports';
import { nameIdFormat, spEndpoints } from '../../adapters/saml/saml-options';
import { print, withAccount } from '../context';
import { defaultSessionLifetimes } from '../../domain/sso/session-service';

interface ConfigureOptions {
  account: string;
  metadata?: string;
  entityId?: string;
  ssoUrl?: string;
  cert?: string[];
  idpInitiated?: boolean;
  json?: boolean;
}

/** Printed as `roster: …` with exit status 1, like the domain's refusals. */
function usage(message: string): DomainError {
  return DomainError.invalid('cli.usage', message);
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw usage(`cannot read ${file}: ${(err as Error).message}`);
  }
}

function sourceOf(options: ConfigureOptions): IdpSource {
  if (options.metadata !== undefined) {
    if (options.entityId || options.ssoUrl || options.cert) {
      throw usage('give either --metadata or --entity-id, --sso-url and --cert, not both');
    }
    return { metadataXml: readText(options.metadata) };
  }
  if (!options.entityId || !options.ssoUrl || !options.cert?.length) {
    throw usage('give --metadata FILE, or --entity-id, --sso-url and at least one --cert FILE');
  }
  return { entityId: options.entityId, ssoUrl: options.ssoUrl, certificates: options.cert.map(readText) };
}

function describe(publicUrl: string, accountId: string, config: SsoConfig | null): string {
  const sp = spEndpoints(publicUrl, accountId);
  const lines = [
    'Give your IdP these values:',
    `  SP metadata URL / entity id (Audience): ${sp.entityId}`,
    `  ACS URL (Single sign-on URL, Reply URL): ${sp.acsUrl}`,
    `  NameID format: ${nameIdFormat}`,
    `  Sign-in URL (SP-initiated): ${sp.loginUrl}`,
  ];
  if (!config) return [...lines, 'No IdP is configured.'].join('\n');
  return [
    ...lines,
    `IdP entity id: ${config.idpEntityId}`,
    `IdP SSO URL: ${config.ssoUrl}`,
    `IdP-initiated logins: ${config.idpInitiated ? 'on' : 'off'}`,
    `Logout goes to: ${config.logoutUrl ?? "Roster's signed-out page"}`,
    `Sessions: idle ${config.sessionIdleMinutes ?? defaultSessionLifetimes.idleMinutes} min, absolute ${
      config.sessionAbsoluteMinutes ?? defaultSessionLifetimes.absoluteMinutes
    } min`,
    ...config.certificates.map(
      (c) => `Certificate ${c.fingerprint}  ${c.subject}  until ${new Date(c.notAfter).toISOString()}`,
    ),
  ].join('\n');
}

/** SAML single sign-on per account: configure the IdP, see what to give it. */
export function ssoCommand(): Command {
  const sso = new Command('sso').description("SAML single sign-on: the account's IdP");
  sso
    .command('configure')
    .description('Configure the IdP from its metadata file, or from entity id, SSO URL and certificate files')
    .requiredOption('--account <id>', 'account id')
    .option('--metadata <file>', "the IdP's SAML metadata XML")
    .option('--entity-id <id>', "the IdP's entity id (issuer)")
    .option('--sso-url <url>', "the IdP's SSO URL (HTTP-Redirect binding)")
    .option('--cert <file...>', 'signing certificate files (PEM); several while the IdP rotates keys')
    .option('--no-idp-initiated', 'refuse logins started from the IdP (dashboard tiles)')
    .option('--json', 'print JSON')
    .action(async (options: ConfigureOptions) => {
      const source = sourceOf(options);
      await withAccount(options.account, async (roster, actor) => {
        const config = await roster.services.sso.configure(actor, source, {
          idpInitiated: options.idpInitiated === false ? false : undefined,
        });
        print(options.json === true, config, describe(roster.config.publicUrl, options.account, config));
      });
    });
  sso
    .command('show')
    .description('The SP values to give the IdP, and the IdP configured')
    .requiredOption('--account <id>', 'account id')
    .option('--json', 'print JSON')
    .action(async (options: { account: string; json?: boolean }) => {
      await withAccount(options.account, async (roster, actor) => {
        const config = await roster.services.sso.get(actor);
        const sp = spEndpoints(roster.config.publicUrl, options.account);
        print(
          options.json === true,
          { sp: { ...sp, nameIdFormat }, idp: config },
          describe(roster.config.publicUrl, options.account, config),
        );
      });
    });
  sso
    .command('remove')
    .description('Remove the IdP: SSO logins stop at once')
    .requiredOption('--account <id>', 'account id')
    .option('--json', 'print JSON')
    .action(async (options: { account: string; json?: boolean }) => {
      await withAccount(options.account, async (roster, actor) => {
        await roster.services.sso.remove(actor);
        print(
          options.json === true,
          { accountId: actor.accountId, ssoRemoved: true },
          'Single sign-on removed.',
        );
      });
    });
  return sso;
}
