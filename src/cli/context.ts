import { loadConfig } from '../config/load';
import { composeServices, type RosterCore } from '../composition-core';
import type { Actor } from '../domain/actor';
import type { AccountId } from '../domain/ids';
import { createLogger } from '../adapters/http/logger';
import { DomainError } from '../domain/errors';
import { isUuid } from '../domain/ids';

/** Opens Roster for one command and closes it afterwards, whatever happens. */
export async function withRoster<T>(work: (roster: RosterCore) => Promise<T>): Promise<T> {
  const roster = await composeServices(loadConfig(), { logger: createLogger('silent') });
  try {
    return await work(roster);
  } finally {
    await roster.close();
  }
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
