import type { SamlSubject } from '../../../domain/sso/sso-ports';
import type { AccountId, UserId } from '../../../domain/ids';
import type { PendingLogin, TotpEnrolment, TotpRepository } from '../../../domain/mfa/totp-ports';
import type { SqlRunner } from '../sql-runner';
import { bool, chunks, num, numOrNull } from './sql';

export class TotpRepositorySql implements TotpRepository {
  constructor(private readonly sql: SqlRunner) {}

  async getEnrolment(accountId: AccountId, userId: UserId): Promise<TotpEnrolment | null> {
    const rows = await this.sql.all('SELECT * FROM user_totp WHERE account_id = ? AND user_id = ?', [
      accountId,
      userId,
    ]);
    if (rows.length === 0) return null;
    const row = rows[0];
    return {
      accountId,
      userId,
      sealedSecret: String(row.sealed_secret),
      confirmed: bool(row.confirmed),
      failedAttempts: num(row.failed_attempts),
      lockedUntil: numOrNull(row.locked_until),
      lastStep: numOrNull(row.last_step),
      created: num(row.created_at),
    };
  }

  /** The caller holds the account's write lock, so read-then-write cannot race. */
  async saveEnrolment(e: TotpEnrolment): Promise<void> {
    const values = [e.sealedSecret, e.confirmed, e.failedAttempts, e.lockedUntil, e.lastStep, e.created];
    const changed = await this.sql.run(
      `UPDATE user_totp SET sealed_secret = ?, confirmed = ?, failed_attempts = ?, locked_until = ?,
              last_step = ?, created_at = ? WHERE user_id = ? AND account_id = ?`,
      [...values, e.userId, e.accountId],
    );
    if (changed > 0) return;
    await this.sql.run(
      `INSERT INTO user_totp (sealed_secret, confirmed, failed_attempts, locked_until, last_step, created_at,
              user_id, account_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [...values, e.userId, e.accountId],
    );
  }

  async deleteEnrolment(accountId: AccountId, userId: UserId): Promise<boolean> {
    const deleted = await this.sql.run('DELETE FROM user_totp WHERE account_id = ? AND user_id = ?', [
      accountId,
      userId,
    ]);
    await this.sql.run('DELETE FROM totp_backup_codes WHERE user_id = ?', [userId]);
    await this.deletePendingFor(accountId, userId);
    return deleted > 0;
  }

  async replaceBackupCodes(
    _accountId: AccountId,
    userId: UserId,
    codeHashes: readonly string[],
  ): Promise<void> {
    await this.sql.run('DELETE FROM totp_backup_codes WHERE user_id = ?', [userId]);
    for (const hash of codeHashes) {
      await this.sql.run('INSERT INTO totp_backup_codes (user_id, code_hash, used_at) VALUES (?, ?, NULL)', [
        userId,
        hash,
      ]);
    }
  }

  async useBackupCode(_accountId: AccountId, userId: UserId, codeHash: string, at: number): Promise<boolean> {
    const changed = await this.sql.run(
      'UPDATE totp_backup_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL',
      [at, userId, codeHash],
    );
    return changed > 0;
  }

  async enrolledUserIds(accountId: AccountId, userIds: readonly UserId[]): Promise<Set<UserId>> {
    const found = new Set<UserId>();
    for (const part of chunks(userIds)) {
      const rows = await this.sql.all<{ user_id: string }>(
        `SELECT user_id FROM user_totp WHERE account_id = ? AND confirmed = ? AND user_id IN (${part
          .map(() => '?')
          .join(', ')})`,
        [accountId, true, ...part],
      );
      for (const row of rows) found.add(row.user_id as UserId);
    }
    return found;
  }

  async insertPending(p: PendingLogin): Promise<void> {
    await this.sql.run(
      `INSERT INTO sso_pending_logins (token_hash, account_id, user_id, method, relay_state, saml_subject, expires_at)
              VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [
        p.tokenHash,
        p.accountId,
        p.userId,
        p.method,
        p.relayState,
        p.samlSubject ? JSON.stringify(p.samlSubject) : null,
        p.expires,
      ],
    );
  }

  async getPending(tokenHash: string): Promise<PendingLogin | null> {
    const rows = await this.sql.all('SELECT * FROM sso_pending_logins WHERE token_hash = ?', [tokenHash]);
    if (rows.length === 0) return null;
    const row = rows[0];
    return {
      tokenHash,
      accountId: String(row.account_id) as AccountId,
      userId: String(row.user_id) as UserId,
      method: row.method === 'idp-initiated' ? 'idp-initiated' : 'sp-initiated',
      relayState: row.relay_state === null ? null : String(row.relay_state),
      samlSubject:
        typeof row.saml_subject === 'string' ? (JSON.parse(row.saml_subject) as SamlSubject) : null,
      expires: num(row.expires_at),
    };
  }

  async deletePending(tokenHash: string): Promise<void> {
    await this.sql.run('DELETE FROM sso_pending_logins WHERE token_hash = ?', [tokenHash]);
  }

  async deletePendingFor(accountId: AccountId, userId: UserId): Promise<void> {
    await this.sql.run('DELETE FROM sso_pending_logins WHERE account_id = ? AND user_id = ?', [
      accountId,
      userId,
    ]);
  }

  async purgePending(now: number): Promise<void> {
    await this.sql.run('DELETE FROM sso_pending_logins WHERE expires_at <= ?', [now]);
  }
}
