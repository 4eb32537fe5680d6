import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../config/load';
import { defaultDatabaseUrl, safeDatabaseUrl } from '../config/database-url';
import { composeServices, type RosterCore } from '../composition-core';
import type { Actor } from '../domain/actor';
import type { AccountId } from '../domain/ids';
import { createLogger } from '../adapters/http/logger';
import { DomainError } from '../domain/errors';
import { isUuid } from '../domain/ids';

/** Opens Roster for one command and closes it afterwards, whatever happens. */
export async function withRoster<T>(work: (roster: RosterCore) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const notice = databaseNotice(config.databaseUrl);
  const roster = await composeServices(config, { logger: createLogger('silent') });
  if (notice) process.stderr.write(`roster: ${notice}\n`);
  try {
    return await work(roster);
  } finally {
    await roster.close();
  }
}

/**
 * Opens Roster for a command about one account, as the operator: an id that is no account is
 * an error (exit 1) before anything is read or written.
 */
export async function withAccount<T>(
  accountId: string,
  work: (roster: RosterCore, actor: Actor) => Promise<T>,
): Promise<T> {
  return withRoster(async (roster) => work(roster, await accountOperator(roster, accountId)));
}

/** The operator acting on an account that exists; not found (exit 1) otherwise. */
export async function accountOperator(roster: RosterCore, accountId: string): Promise<Actor> {
  const actor = operatorOn(accountId);
  await roster.services.accounts.get(actor.accountId);
  return actor;
}

/**
 * Which database a command opened, when it is not the server's default (DATABASE_URL set
 * elsewhere), or when the default file did not exist yet: a command run in another directory
 * would otherwise write to a new, empty database that the server never reads.
 */
function databaseNotice(databaseUrl: string): string | null {
  if (databaseUrl !== defaultDatabaseUrl) return `using the database at DATABASE_URL=${shown(databaseUrl)}`;
  const file = resolve(databaseUrl.slice('sqlite:'.length));
  if (existsSync(file)) return null;
  return `created a new, empty database at ${file} (DATABASE_URL is not set: this is data/roster.sqlite under the current directory)`;
}

/** A SQLite path made absolute; any password hidden. */
function shown(databaseUrl: string): string {
  if (!databaseUrl.startsWith('sqlite:')) return safeDatabaseUrl(databaseUrl);
  const path = databaseUrl.slice('sqlite:'.length);
  return path === ':memory:' ? databaseUrl : `sqlite:${resolve(path)}`;
}

/** The CLI acts as an operator on one account; every change it makes is audited as such. */
export function operatorOn(accountId: string): Actor {
  if (!isUuid(accountId)) throw DomainError.notFound('account.not_found', `Account ${accountId} not found`);
  return { kind: 'operator', accountId: accountId as AccountId, operator: operatorName(), channel: 'cli' };
}

export function operatorName(): string {
  return process.env.USER ?? process.env.LOGNAME ?? 'operator';
}

export function print(json: boolean, value: unknown, human: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human}\n`);
}
