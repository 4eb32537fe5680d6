import type { Dialect } from '../dialect';
import type { SqlRunner } from '../sql-runner';
import type { AccountId, UserId } from '../../../domain/ids';
import type { Account, ChildAccess, ChildAccountRepository } from '../../../domain/ports';
import { accountColumns, accountFromRow, type AccountRow } from './account.repository';
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
    const rows = await this.sql.all<AccountRow>(
      `SELECT ${accountColumns} FROM accounts a JOIN account_owners o ON o.account_id = a.id
        WHERE a.parent_id = ? ORDER BY a.created_at, a.id`,
      [parentId],
    );
    return rows.map(accountFromRow);
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
