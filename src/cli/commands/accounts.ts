import { Command, InvalidArgumentError } from 'commander';
import type { RosterCore } from '../../composition-core';
import type { Actor } from '../../domain/actor';
import type { Account } from '../../domain/ports';
import { operatorName, operatorOn, print, withAccount, withRoster } from '../context';
import { createChildCommand } from './children';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function accountJson(account: Account) {
  return {
    accountId: account.id,
    name: account.name,
    status: account.status,
    parentId: account.parentId ?? null,
    ownerUserId: account.ownerId,
    created: iso(account.created),
  };
}

/** One account in full: its Owner, seats, credentials and whether ownership must move. */
async function accountDetails(roster: RosterCore, actor: Actor) {
  const account = await roster.services.accounts.describe(actor);
  const owner = await roster.services.members.get(actor, account.ownerId);
  const seats = await roster.services.accounts.seats(actor);
  const live = <T extends { revoked: number | null }>(list: T[]) =>
    list.filter((t) => t.revoked === null).length;
  return {
    ...accountJson(account),
    ownerUserName: owner.userName,
    needsOwnershipTransfer: account.needsOwnershipTransfer,
    defaultRole: account.defaultRoleKey,
    seats,
    liveScimTokens: live(await roster.services.tokens.list(actor)),
    liveApiKeys: live(await roster.services.apiKeys.list(actor)),
    scimBaseUrl: roster.scimBaseUrl,
  };
}

function describeDetails(d: Awaited<ReturnType<typeof accountDetails>>): string {
  return [
    `Account "${d.name}" (${d.status})`,
    `  account id:   ${d.accountId}${d.parentId ? `  (child of ${d.parentId})` : ''}`,
    `  created:      ${d.created}`,
    `  owner:        ${d.ownerUserName} (${d.ownerUserId})${d.needsOwnershipTransfer ? '  NEEDS AN OWNERSHIP TRANSFER' : ''}`,
    `  default role: ${d.defaultRole ?? 'none'}`,
    `  seats:        ${d.seats.used} used of ${d.seats.limit ?? 'unlimited'}`,
    `  credentials:  ${d.liveScimTokens} live SCIM tokens, ${d.liveApiKeys} live API keys`,
    `  SCIM base URL: ${d.scimBaseUrl}`,
  ].join('\n');
}

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
      await withAccount(options.account, async (roster, actor) => {
        const limit = options.limit === 'none' ? null : options.limit;
        const seats = await roster.services.accounts.setSeatLimit(actor, limit);
        print(
          options.json === true,
          seats,
          `Seat limit: ${seats.limit ?? 'none'}; seats in use: ${seats.used}`,
        );
      });
    });
  accounts
    .command('list')
    .description('Every account, child accounts included, oldest first')
    .option('--json', 'print JSON lines, one account each')
    .action(async (options: { json?: boolean }) => {
      await withRoster(async (roster) => {
        const list = (await roster.services.accounts.listAll()).map(accountJson);
        for (const a of list) {
          const parent = a.parentId ? `  child of ${a.parentId}` : '';
          print(
            options.json === true,
            a,
            `${a.accountId}  ${a.name}  ${a.status}  created ${a.created}${parent}`,
          );
        }
        if (list.length === 0 && options.json !== true) print(false, null, 'No accounts.');
      });
    });
  accounts
    .command('show')
    .description('One account: its Owner, seats, live SCIM tokens and API keys')
    .requiredOption('--account <id>', 'the account id')
    .option('--json', 'print one JSON object')
    .action(async (options: { account: string; json?: boolean }) => {
      await withAccount(options.account, async (roster, actor) => {
        const details = await accountDetails(roster, actor);
        print(options.json === true, details, describeDetails(details));
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
