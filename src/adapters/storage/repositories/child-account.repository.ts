import type { Dialect } from '../dialect';
import type { SqlRunner } from '../sql-runner';
import type { AccountId, UserId } from '../../../domain/ids';
import type { Account, ChildAccess, ChildAccountRepository } from '../../../domain/ports';
import { AccountRepositorySql } from './account.repository';
import { bool } from './sql';

export class ChildAccountRepositorySql implements ChildAccountRepository {
  constructor(
    private readonly sql: SqlRunner,
    private readonly dialect: Dialect,
  ) {}

  async lockChild(childId: AccountId): Promise<void> {
    if (this.dialect === 'mysql')
      await this.sql.all('SELECT id FROM accounts WHERE id = ? FOR UPDATE', [childId]);
  }

  async childrenOf(parentId: AccountId): Promise<Account[]> {
    const rows = await this.sql.all<{ id: AccountId }>(
      'SELECT id FROM accounts WHERE parent_id = ? ORDER BY created_at, id',
      [parentId],
    );
    // An account has a handful of children: one read each keeps a single place that maps an account row.
    const accounts = new AccountRepositorySql(this.sql);
    const children = await Promise.all(rows.map((row) => accounts.get(row.id)));
    return children.filter((child): child is Account => child !== null);
  }

  async setHome(accountId: AccountId, userId: UserId, homeUserId: UserId): Promise<void> {
    await this.sql.run('UPDATE users SET home_user_id = ? WHERE account_id = ? AND id = ?', [
      homeUserId,
      accountId,
      userId,
    ]);
  }

  async homeActive(userId: UserId): Promise<boolean | null> {
    const rows = await this.sql.all<{ active: unknown }>(
      'SELECT h.active FROM users u JOIN users h ON h.id = u.home_user_id WHERE u.id = ?',
      [userId],
    );
    return rows.length === 0 ? null : bool(rows[0].active);
  }

  async accessOf(homeUserId: UserId): Promise<ChildAccess[]> {
    const rows = await this.sql.all<{ account_id: AccountId; id: UserId }>(
      'SELECT account_id, id FROM users WHERE home_user_id = ? ORDER BY account_id',
      [homeUserId],
    );
    return rows.map((row) => ({ childId: row.account_id, managedUserId: row.id }));
  }
}
