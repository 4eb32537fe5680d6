import type { AccountId, UserId } from '../../../domain/ids';
import type { SessionMfa, SsoSession, SsoSessionRepository } from '../../../domain/sso/sso-ports';
import type { SqlRunner } from '../sql-runner';
import { chunks, limitSql, num } from './sql';

/** Browser sessions, found by the digest of their cookie value. */
export class SsoSessionRepositorySql implements SsoSessionRepository {
  constructor(private readonly sql: SqlRunner) {}

  async insert(session: SsoSession, tokenHash: string): Promise<void> {
    await this.sql.run(
      `INSERT INTO sso_sessions (id, account_id, user_id, token_hash, created_at, last_seen_at, idle_expires_at,
         absolute_expires_at, idle_minutes, mfa_method, mfa_detail, saml_name_id, saml_name_id_format, saml_session_index)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        session.id,
        session.accountId,
        session.userId,
        tokenHash,
        session.created,
        session.lastSeen,
        session.idleExpires,
        session.absoluteExpires,
        session.idleMinutes,
        session.mfa.method,
        session.mfa.detail,
        session.samlSubject?.nameId ?? null,
        session.samlSubject?.nameIdFormat ?? null,
        session.samlSubject?.sessionIndex ?? null,
      ],
    );
  }

  async findByHash(tokenHash: string): Promise<SsoSession | null> {
    const rows = await this.sql.all('SELECT * FROM sso_sessions WHERE token_hash = ?', [tokenHash]);
    return rows.length ? toSession(rows[0]) : null;
  }

  async touch(sessionId: string, at: number, idleExpires: number): Promise<void> {
    await this.sql.run('UPDATE sso_sessions SET last_seen_at = ?, idle_expires_at = ? WHERE id = ?', [
      at,
      idleExpires,
      sessionId,
    ]);
  }

  async delete(sessionId: string): Promise<boolean> {
    return (await this.sql.run('DELETE FROM sso_sessions WHERE id = ?', [sessionId])) > 0;
  }

  async deleteForUsers(accountId: AccountId, userIds: readonly UserId[]): Promise<Map<UserId, string[]>> {
    const ended = new Map<UserId, string[]>();
    for (const part of chunks(userIds)) {
      const marks = part.map(() => '?').join(', ');
      const rows = await this.sql.all(
        `SELECT id, user_id FROM sso_sessions WHERE account_id = ? AND user_id IN (${marks})`,
        [accountId, ...part],
      );
      if (rows.length === 0) continue;
      await this.sql.run(`DELETE FROM sso_sessions WHERE account_id = ? AND user_id IN (${marks})`, [
        accountId,
        ...part,
      ]);
      for (const row of rows) {
        const userId = row.user_id as UserId;
        ended.set(userId, [...(ended.get(userId) ?? []), row.id as string]);
      }
    }
    return ended;
  }

  async purgeExpired(accountId: AccountId, now: number): Promise<void> {
    await this.sql.run(
      `DELETE FROM sso_sessions WHERE account_id = ? AND (idle_expires_at <= ? OR absolute_expires_at <= ?)
         AND oidc_session_uid IS NULL`,
      [accountId, now, now],
    );
  }

  async findBySamlSubject(
    accountId: AccountId,
    nameId: string,
    sessionIndex: string | null,
  ): Promise<SsoSession[]> {
    const rows = await this.sql.all(
      `SELECT * FROM sso_sessions WHERE account_id = ? AND saml_name_id = ?
         AND (? IS NULL OR saml_session_index = ?)`,
      [accountId, nameId, sessionIndex, sessionIndex],
    );
    return rows.map(toSession);
  }

  async link(sessionId: string, handOffUid: string): Promise<void> {
    await this.sql.run('UPDATE sso_sessions SET oidc_session_uid = ? WHERE id = ?', [handOffUid, sessionId]);
  }

  async findByHandOff(handOffUid: string): Promise<SsoSession[]> {
    return (await this.sql.all('SELECT * FROM sso_sessions WHERE oidc_session_uid = ?', [handOffUid])).map(
      toSession,
    );
  }

  async expiredHandOffs(now: number, limit: number): Promise<SsoSession[]> {
    const rows = await this.sql.all(
      `SELECT * FROM sso_sessions WHERE oidc_session_uid IS NOT NULL
         AND (idle_expires_at <= ? OR absolute_expires_at <= ?) ORDER BY idle_expires_at${limitSql(limit)}`,
      [now, now],
    );
    return rows.map(toSession);
  }
}

function toSession(row: Record<string, unknown>): SsoSession {
  return {
    id: row.id as string,
    accountId: row.account_id as AccountId,
    userId: row.user_id as UserId,
    created: num(row.created_at),
    lastSeen: num(row.last_seen_at),
    idleExpires: num(row.idle_expires_at),
    absoluteExpires: num(row.absolute_expires_at),
    idleMinutes: num(row.idle_minutes),
    mfa: {
      method: row.mfa_method as SessionMfa['method'],
      detail: (row.mfa_detail as string | null) ?? null,
    },
    handOffUid: (row.oidc_session_uid as string | null) ?? null,
    samlSubject:
      typeof row.saml_name_id === 'string'
        ? {
            nameId: row.saml_name_id,
            nameIdFormat: (row.saml_name_id_format as string | null) ?? null,
            sessionIndex: (row.saml_session_index as string | null) ?? null,
          }
        : null,
  };
}
