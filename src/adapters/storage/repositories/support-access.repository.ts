import type { AccountId } from '../../../domain/ids';
import type { Account, SupportAccessRepository, SupportGrant, SupportSession } from '../../../domain/ports';
import type { SqlRunner } from '../sql-runner';
import { num, numOrNull } from './sql';

export class SupportAccessRepositorySql implements SupportAccessRepository {
  constructor(private readonly sql: SqlRunner) {}

  async insertGrant(grant: SupportGrant): Promise<void> {
    await this.sql.run(
      `INSERT INTO support_grants (id, account_id, granted_by, granted_by_name, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
      [grant.id, grant.accountId, grant.grantedBy, grant.grantedByName, grant.created, grant.expires],
    );
  }

  async activeGrant(accountId: AccountId, now: number): Promise<SupportGrant | null> {
    const rows = await this.sql.all<Record<string, unknown>>(
      `SELECT * FROM support_grants WHERE account_id = ? AND ended_at IS NULL AND expires_at > ?
        ORDER BY created_at DESC LIMIT 1`,
      [accountId, now],
    );
    return rows.length ? toGrant(rows[0]) : null;
  }

  async grants(accountId: AccountId): Promise<SupportGrant[]> {
    const rows = await this.sql.all<Record<string, unknown>>(
      `SELECT * FROM support_grants WHERE account_id = ?
        ORDER BY created_at DESC, CASE WHEN ended_at IS NULL THEN 0 ELSE 1 END, id`,
      [accountId],
    );
    return rows.map(toGrant);
  }

  async getGrant(accountId: AccountId, grantId: string): Promise<SupportGrant | null> {
    const rows = await this.sql.all<Record<string, unknown>>(
      'SELECT * FROM support_grants WHERE account_id = ? AND id = ?',
      [accountId, grantId],
    );
    return rows.length ? toGrant(rows[0]) : null;
  }

  async endGrant(grantId: string, at: number, reason: string, by: string): Promise<boolean> {
    const ended = await this.sql.run(
      'UPDATE support_grants SET ended_at = ?, end_reason = ?, ended_by = ? WHERE id = ? AND ended_at IS NULL',
      [at, reason, by, grantId],
    );
    return ended > 0;
  }

  async expiredUnended(now: number, limit: number): Promise<SupportGrant[]> {
    const rows = await this.sql.all<Record<string, unknown>>(
      `SELECT * FROM support_grants WHERE ended_at IS NULL AND expires_at <= ? ORDER BY expires_at, id
        LIMIT ${Math.trunc(limit)}`,
      [now],
    );
    return rows.map(toGrant);
  }

  async insertSession(session: SupportSession, tokenHash: string): Promise<void> {
    await this.sql.run(
      `INSERT INTO support_sessions (id, account_id, grant_id, agent, token_hash, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
      [session.id, session.accountId, session.grantId, session.agent, tokenHash, session.created],
    );
  }

  async findSession(tokenHash: string) {
    const rows = await this.sql.all<Record<string, unknown>>(
      `SELECT s.id AS session_id, s.agent, s.created_at AS session_created, a.status AS account_status, g.*
         FROM support_sessions s
         JOIN support_grants g ON g.id = s.grant_id
         JOIN accounts a ON a.id = s.account_id
        WHERE s.token_hash = ?`,
      [tokenHash],
    );
    if (rows.length === 0) return null;
    const row = rows[0];
    const grant = toGrant(row);
    return {
      session: {
        id: row.session_id as string,
        accountId: grant.accountId,
        grantId: grant.id,
        agent: row.agent as string,
        created: num(row.session_created),
      },
      grant,
      accountStatus: row.account_status as Account['status'],
    };
  }
}

function toGrant(row: Record<string, unknown>): SupportGrant {
  return {
    id: row.id as string,
    accountId: row.account_id as AccountId,
    grantedBy: row.granted_by as string,
    grantedByName: row.granted_by_name as string,
    created: num(row.created_at),
    expires: num(row.expires_at),
    ended: numOrNull(row.ended_at),
    endReason: (row.end_reason as SupportGrant['endReason']) ?? null,
    endedBy: (row.ended_by as string | null) ?? null,
  };
}
