/** Bench accounts: made by the services, filled by SQL (seed.ts); and the server they are read from. */
import type { DestinationStream } from 'pino';
import { createLogger } from '../../src/adapters/http/logger';
import { compose, type Roster } from '../../src/composition';
import { loadConfig } from '../../src/config/load';
import type { Actor } from '../../src/domain/actor';
import type { AccountId } from '../../src/domain/ids';
import { benchUserName, seedGroupRows, seedMemberships, seedUsers, type SeededUsers } from './seed';

export interface BenchAccount {
  label: string;
  accountId: AccountId;
  operator: Actor;
  token: string;
  users: SeededUsers;
}

/**
 * Roster as the throughput steps measure it: the production logger at level info into
 * `destination`, and the per-token limit on (its cost is part of every figure) but never reached.
 */
export function benchRoster(databaseUrl: string, destination: DestinationStream): Promise<Roster> {
  return compose(
    loadConfig({
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'info',
      PORT: '0',
      PUBLIC_URL: 'http://127.0.0.1',
      RATE_LIMIT_REQUESTS_PER_TOKEN: '1000000000',
    }),
    { logger: createLogger('info', destination) },
  );
}

/** Makes the account's users without a role Analysts, as a hand assignment stores it. */
export async function makeAnalysts(roster: Roster, account: BenchAccount): Promise<void> {
  await roster.dataSource.query(
    "UPDATE user_roles SET role_key = 'analyst', source = 'manual', manual_role_key = 'analyst' " +
      'WHERE account_id = ? AND role_key IS NULL',
    [account.accountId],
  );
}

/** An account made by the services (its Owner is user #0), then filled by SQL to `size` users. */
export async function seedAccount(roster: Roster, label: string, size: number): Promise<BenchAccount> {
  const ownerName = benchUserName(label, 0);
  const { account, owner } = await roster.services.accounts.create('bench', {
    name: `Bench ${label}`,
    ownerEmail: ownerName,
  });
  const operator: Actor = { kind: 'operator', accountId: account.id, operator: 'bench', channel: 'cli' };
  const { secret } = await roster.services.tokens.issue(operator, 'bench');
  const seeded = await seedUsers(roster.dataSource, account.id, label, size - 1, 1);
  return {
    label,
    accountId: account.id,
    operator,
    token: secret,
    users: { ids: [owner.id, ...seeded.ids], userNames: [ownerName, ...seeded.userNames] },
  };
}

/**
 * `count` groups, each user a member of `perUser` of them (user i of groups i, i + 1, … mod
 * count), all seeded by SQL as the repositories write them. Returns the group ids.
 */
export async function seedGroups(
  roster: Roster,
  account: BenchAccount,
  count: number,
  perUser: number,
): Promise<string[]> {
  const ids = await seedGroupRows(roster.dataSource, account.accountId, account.label, count);
  const memberships = account.users.ids.flatMap((userId, i) =>
    Array.from({ length: perUser }, (_, k) => [ids[(i + k) % count], userId] as const),
  );
  await seedMemberships(roster.dataSource, account.accountId, memberships);
  return ids;
}

export function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

export function shuffledSample<T>(items: readonly T[], count: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, count);
}
