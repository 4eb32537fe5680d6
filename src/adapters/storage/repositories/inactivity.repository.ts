import type { AccountId, UserId } from '../../../domain/ids';
import type {
  InactiveUser,
  InactivityRepository,
  InactivitySettings,
} from '../../../domain/lifecycle/inactivity-ports';
import type { SqlRunner } from '../sql-runner';
import { num, numOrNull } from './sql';

const userColumns = `u.id, u.user_name, u.created_at, s.last_login_at, f.flagged_at`;
const userJoins = `FROM users u LEFT JOIN user_sign_ins s ON s.user_id = u.id
                   LEFT JOIN inactivity_flags f ON f.user_id = u.id`;

export class InactivityRepositorySql implements InactivityRepository {
  constructor(private readonly sql: SqlRunner) {}

  async settings(accountId: AccountId): Promise<InactivitySettings | null> {
    const rows = await this.sql.all<{ days: unknown; action: InactivitySettings['action'] }>(
      'SELECT days, action FROM inactivity_settings WHERE account_id = ?',
      [accountId],
    );
    return rows.length ? { days: num(rows[0].days), action: rows[0].action } : null;
  }

  async saveSettings(accountId: AccountId, settings: InactivitySettings, at: number): Promise<void> {
    const changed = await this.sql.run(
      'UPDATE inactivity_settings SET days = ?, action = ?, updated_at = ? WHERE account_id = ?',
      [settings.days, settings.action, at, accountId],
    );
    if (changed === 0) {
      await this.sql.run(
        'INSERT INTO inactivity_settings (account_id, days, action, updated_at) VALUES (?, ?, ?, ?)',
        [accountId, settings.days, settings.action, at],
      );
    }
  }

  async inactiveSince(
    accountId: AccountId,
    cutoff: number,
    afterId: string,
    limit: number,
  ): Promise<InactiveUser[]> {
    const rows = await this.sql.all<Record<string, unknown>>(
      `SELECT ${userColumns} ${userJoins}
        WHERE u.account_id = ? AND u.active = ? AND u.home_user_id IS NULL AND u.id > ?
          AND COALESCE(s.last_login_at, u.created_at) < ?
        ORDER BY u.id LIMIT ${Math.trunc(limit)}`,
      [accountId, true, afterId, cutoff],
    );
    return rows.map(toInactive);
  }

  async flag(accountId: AccountId, userId: UserId, at: number, lastActivity: number): Promise<void> {
    await this.sql.run(
      'INSERT INTO inactivity_flags (user_id, account_id, flagged_at, last_activity_at) VALUES (?, ?, ?, ?)',
      [userId, accountId, at, lastActivity],
    );
  }

  async clearResolved(accountId: AccountId): Promise<number> {
    return this.sql.run(
      `DELETE FROM inactivity_flags WHERE account_id = ? AND user_id IN (
         SELECT id FROM (
           SELECT u.id FROM users u LEFT JOIN user_sign_ins s ON s.user_id = u.id
             JOIN inactivity_flags f ON f.user_id = u.id
            WHERE u.account_id = ? AND (u.active = ? OR s.last_login_at > f.last_activity_at)
         ) resolved)`,
      [accountId, accountId, false],
    );
  }

  async flagged(accountId: AccountId): Promise<InactiveUser[]> {
    const rows = await this.sql.all<Record<string, unknown>>(
      `SELECT ${userColumns} ${userJoins} WHERE u.account_id = ? AND f.flagged_at IS NOT NULL ORDER BY u.user_name`,
      [accountId],
    );
    return rows.map(toInactive);
  }

  async activeAccounts(): Promise<AccountId[]> {
    const rows = await this.sql.all<{ id: AccountId }>(
      `SELECT id FROM accounts WHERE status = 'active' ORDER BY id`,
    );
    return rows.map((r) => r.id);
  }
}

function toInactive(row: Record<string, unknown>): InactiveUser {
  const lastLogin = numOrNull(row.last_login_at);
  return {
    userId: row.id as UserId,
    userName: row.user_name as string,
    lastLogin,
    lastActivity: lastLogin ?? num(row.created_at),
    flagged: numOrNull(row.flagged_at),
  };
}
