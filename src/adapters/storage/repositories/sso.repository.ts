import type { AccountId, UserId } from '../../../domain/ids';
import type { SignInMethod, SsoCertificate, SsoConfig, SsoRepository } from '../../../domain/sso/sso-ports';
import { normalizeUserName, type User } from '../../../domain/users/user';
import { uniqueViolation } from '../db-errors';
import type { SqlRunner } from '../sql-runner';
import { bool, num, numOrNull } from './sql';
import { fromRow as userFromRow } from './user.repository';

/** SAML state: the account's IdP, issued request ids, used assertion ids and last sign-ins. */
export class SsoRepositorySql implements SsoRepository {
  constructor(private readonly sql: SqlRunner) {}

  async getConfig(accountId: AccountId): Promise<SsoConfig | null> {
    const rows = await this.sql.all('SELECT * FROM sso_configs WHERE account_id = ?', [accountId]);
    if (rows.length === 0) return null;
    const certs = await this.sql.all(
      'SELECT * FROM sso_certificates WHERE account_id = ? ORDER BY not_after DESC, fingerprint',
      [accountId],
    );
    const row = rows[0];
    return {
      accountId,
      idpEntityId: row.idp_entity_id as string,
      ssoUrl: row.sso_url as string,
      idpInitiated: bool(row.idp_initiated),
      logoutUrl: (row.logout_url as string | null) ?? null,
      wantAuthnRequestsSigned: bool(row.want_authn_requests_signed),
      sessionIdleMinutes: numOrNull(row.session_idle_minutes),
      sessionAbsoluteMinutes: numOrNull(row.session_absolute_minutes),
      updated: num(row.updated_at),
      certificates: certs.map(toCertificate),
    };
  }

  async saveConfig(config: SsoConfig): Promise<void> {
    const values = [
      config.idpEntityId,
      config.ssoUrl,
      config.idpInitiated,
      config.updated,
      config.logoutUrl,
      config.sessionIdleMinutes,
      config.sessionAbsoluteMinutes,
      config.wantAuthnRequestsSigned,
    ];
    const updated = await this.sql.run(
      `UPDATE sso_configs SET idp_entity_id = ?, sso_url = ?, idp_initiated = ?, updated_at = ?, logout_url = ?,
         session_idle_minutes = ?, session_absolute_minutes = ?, want_authn_requests_signed = ? WHERE account_id = ?`,
      [...values, config.accountId],
    );
    if (updated === 0) {
      await this.sql.run(
        `INSERT INTO sso_configs (idp_entity_id, sso_url, idp_initiated, updated_at, logout_url,
           session_idle_minutes, session_absolute_minutes, want_authn_requests_signed, account_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [...values, config.accountId],
      );
    }
    await this.sql.run('DELETE FROM sso_certificates WHERE account_id = ?', [config.accountId]);
    for (const cert of config.certificates) {
      await this.sql.run(
        `INSERT INTO sso_certificates (account_id, fingerprint, pem, subject, not_before, not_after)
         VALUES (?, ?, ?, ?, ?, ?)`,
        [config.accountId, cert.fingerprint, cert.pem, cert.subject, cert.notBefore, cert.notAfter],
      );
    }
  }

  async deleteConfig(accountId: AccountId): Promise<boolean> {
    await this.sql.run('DELETE FROM sso_certificates WHERE account_id = ?', [accountId]);
    return (await this.sql.run('DELETE FROM sso_configs WHERE account_id = ?', [accountId])) > 0;
  }

  async insertRequest(accountId: AccountId, requestId: string, at: number, expires: number): Promise<void> {
    await this.sql.run(
      'INSERT INTO sso_requests (account_id, request_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
      [accountId, requestId, at, expires],
    );
  }

  async requestExpiry(accountId: AccountId, requestId: string): Promise<number | null> {
    const rows = await this.sql.all(
      'SELECT expires_at FROM sso_requests WHERE account_id = ? AND request_id = ?',
      [accountId, requestId],
    );
    return rows.length === 0 ? null : num(rows[0].expires_at);
  }

  async deleteRequest(accountId: AccountId, requestId: string): Promise<void> {
    await this.sql.run('DELETE FROM sso_requests WHERE account_id = ? AND request_id = ?', [
      accountId,
      requestId,
    ]);
  }

  async rememberAssertion(accountId: AccountId, assertionId: string, expires: number): Promise<boolean> {
    const seen = await this.sql.all(
      'SELECT 1 AS seen FROM sso_assertions WHERE account_id = ? AND assertion_id = ?',
      [accountId, assertionId],
    );
    if (seen.length > 0) return false;
    try {
      await this.sql.run(
        'INSERT INTO sso_assertions (account_id, assertion_id, expires_at) VALUES (?, ?, ?)',
        [accountId, assertionId, expires],
      );
      return true;
    } catch (err) {
      // Two instances took the same response at once: the unique key lets only one in.
      if (uniqueViolation(err) !== null) return false;
      throw err;
    }
  }

  async purgeExpired(accountId: AccountId, now: number): Promise<void> {
    await this.sql.run('DELETE FROM sso_requests WHERE account_id = ? AND expires_at < ?', [accountId, now]);
    await this.sql.run('DELETE FROM sso_assertions WHERE account_id = ? AND expires_at < ?', [
      accountId,
      now,
    ]);
  }

  async findByPrimaryEmail(accountId: AccountId, email: string): Promise<User[]> {
    const rows = await this.sql.all(
      'SELECT * FROM users WHERE account_id = ? AND primary_email_norm = ? ORDER BY id LIMIT 2',
      [accountId, normalizeUserName(email)],
    );
    return rows.map(userFromRow);
  }

  async recordSignIn(accountId: AccountId, userId: UserId, at: number, method: SignInMethod): Promise<void> {
    const updated = await this.sql.run(
      'UPDATE user_sign_ins SET last_login_at = ?, last_method = ? WHERE user_id = ?',
      [at, method, userId],
    );
    if (updated === 0) {
      await this.sql.run(
        'INSERT INTO user_sign_ins (user_id, account_id, last_login_at, last_method) VALUES (?, ?, ?, ?)',
        [userId, accountId, at, method],
      );
    }
  }
}

function toCertificate(row: Record<string, unknown>): SsoCertificate {
  return {
    fingerprint: row.fingerprint as string,
    pem: row.pem as string,
    subject: row.subject as string,
    notBefore: num(row.not_before),
    notAfter: num(row.not_after),
  };
}
