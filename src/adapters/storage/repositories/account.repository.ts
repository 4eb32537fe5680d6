import type { SqlRunner } from '../sql-runner';
import type { AccountId, UserId } from '../../../domain/ids';
import type { Account, AccountRepository } from '../../../domain/ports';
import { bool, num, numOrNull } from './sql';

interface AccountRow {
  id: AccountId;
  name: string;
  status: Account['status'];
  created_at: unknown;
  owner_id: UserId;
  default_role_key: string | null;
  needs_ownership_transfer: unknown;
  seat_limit: unknown;
  mass_deprovisioning_approved_until: unknown;
  parent_id: AccountId | null;
}

export class AccountRepositorySql implements AccountRepository {
  constructor(private readonly sql: SqlRunner) {}

  async insert(account: Omit<Account, 'ownerId'>): Promise<void> {
    await this.sql.run(
      'INSERT INTO accounts (id, name, status, created_at, parent_id, version) VALUES (?, ?, ?, ?, ?, 1)',
      [account.id, account.name, account.status, account.created, account.parentId ?? null],
    );
  }

  async setOwner(accountId: AccountId, userId: UserId): Promise<void> {
    await this.sql.run('INSERT INTO account_owners (account_id, user_id) VALUES (?, ?)', [accountId, userId]);
  }

  async transferOwner(accountId: AccountId, from: UserId, to: UserId): Promise<boolean> {
    const changed = await this.sql.run(
      'UPDATE account_owners SET user_id = ? WHERE account_id = ? AND user_id = ?',
      [to, accountId, from],
    );
    return changed === 1;
  }

  async update(
    accountId: AccountId,
    change: Partial<
      Pick<
        Account,
        | 'status'
        | 'defaultRoleKey'
        | 'needsOwnershipTransfer'
        | 'seatLimit'
        | 'massDeprovisioningApprovedUntil'
      >
    >,
  ): Promise<void> {
    const columns: [string, unknown][] = [];
    if (change.status !== undefined) columns.push(['status', change.status]);
    if (change.defaultRoleKey !== undefined) columns.push(['default_role_key', change.defaultRoleKey]);
    if (change.needsOwnershipTransfer !== undefined) {
      columns.push(['needs_ownership_transfer', change.needsOwnershipTransfer]);
    }
    if (change.seatLimit !== undefined) columns.push(['seat_limit', change.seatLimit]);
    if (change.massDeprovisioningApprovedUntil !== undefined) {
      columns.push(['mass_deprovisioning_approved_until', change.massDeprovisioningApprovedUntil]);
    }
    if (columns.length === 0) return;
    await this.sql.run(
      `UPDATE accounts SET ${columns.map(([c]) => `${c} = ?`).join(', ')}, version = version + 1 WHERE id = ?`,
      [...columns.map(([, v]) => v), accountId],
    );
  }

  async get(accountId: AccountId): Promise<Account | null> {
    const rows = await this.sql.all<AccountRow>(`${accountSelect} WHERE a.id = ?`, [accountId]);
    return rows.length === 0 ? null : toAccount(rows[0]);
  }

  async list(): Promise<Account[]> {
    const rows = await this.sql.all<AccountRow>(`${accountSelect} ORDER BY a.created_at, a.id`);
    return rows.map(toAccount);
  }
}

const accountSelect = `SELECT a.id, a.name, a.status, a.created_at, a.default_role_key, a.needs_ownership_transfer,
       a.seat_limit, a.mass_deprovisioning_approved_until, a.parent_id, o.user_id AS owner_id
  FROM accounts a JOIN account_owners o ON o.account_id = a.id`;

function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    ownerId: row.owner_id,
    defaultRoleKey: row.default_role_key ?? null,
    needsOwnershipTransfer: bool(row.needs_ownership_transfer),
    seatLimit: numOrNull(row.seat_limit),
    massDeprovisioningApprovedUntil: numOrNull(row.mass_deprovisioning_approved_until),
    created: num(row.created_at),
    parentId: row.parent_id ?? null,
  };
}
