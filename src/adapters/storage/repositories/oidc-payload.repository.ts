import type { UserId } from '../../../domain/ids';
import type {
  HandOffSession,
  OidcPayloadRecord,
  OidcPayloadRepository,
  OidcStoredPayload,
} from '../../../domain/oidc/oidc-ports';
import type { Dialect } from '../dialect';
import type { SqlRunner } from '../sql-runner';
import { chunks, limitSql, numOrNull, placeholders } from './sql';

const live = '(expires_at IS NULL OR expires_at > ?)';

/** The OpenID Provider's records: one table, keyed by (model, id), every lookup on an index. */
export class OidcPayloadRepositorySql implements OidcPayloadRepository {
  constructor(
    private readonly sql: SqlRunner,
    private readonly dialect: Dialect,
  ) {}

  async upsert(record: OidcPayloadRecord): Promise<void> {
    const update =
      this.dialect === 'sqlite'
        ? `ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
             uid = excluded.uid, user_code = excluded.user_code, user_id = excluded.user_id,
             expires_at = excluded.expires_at`
        : `ON DUPLICATE KEY UPDATE payload = VALUES(payload), grant_id = VALUES(grant_id), uid = VALUES(uid),
             user_code = VALUES(user_code), user_id = VALUES(user_id), expires_at = VALUES(expires_at)`;
    await this.sql.run(
      `INSERT INTO oidc_payloads (model, id, payload, grant_id, uid, user_code, user_id, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ${update}`,
      [
        record.model,
        record.id,
        record.payload,
        record.grantId,
        record.uid,
        record.userCode,
        record.userId,
        record.expires,
      ],
    );
  }

  async find(model: string, id: string, now: number): Promise<OidcStoredPayload | null> {
    return this.one('SELECT payload, consumed_at FROM oidc_payloads WHERE model = ? AND id = ? AND ' + live, [
      model,
      id,
      now,
    ]);
  }

  async findByUid(model: string, uid: string, now: number): Promise<OidcStoredPayload | null> {
    return this.one(
      'SELECT payload, consumed_at FROM oidc_payloads WHERE uid = ? AND model = ? AND ' + live,
      [uid, model, now],
    );
  }

  async findByUserCode(model: string, userCode: string, now: number): Promise<OidcStoredPayload | null> {
    return this.one(
      'SELECT payload, consumed_at FROM oidc_payloads WHERE user_code = ? AND model = ? AND ' + live,
      [userCode, model, now],
    );
  }

  async consume(model: string, id: string, at: number): Promise<boolean> {
    const changed = await this.sql.run(
      'UPDATE oidc_payloads SET consumed_at = ? WHERE model = ? AND id = ? AND consumed_at IS NULL',
      [at, model, id],
    );
    return changed > 0;
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.sql.run('DELETE FROM oidc_payloads WHERE model = ? AND id = ?', [model, id]);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.sql.run('DELETE FROM oidc_payloads WHERE grant_id = ?', [grantId]);
  }

  async sessionsOf(userIds: readonly UserId[], now: number): Promise<HandOffSession[]> {
    const sessions: HandOffSession[] = [];
    for (const part of chunks(userIds)) {
      const rows = await this.sql.all(
        `SELECT payload FROM oidc_payloads WHERE user_id IN (${placeholders(part.length)}) AND model = 'Session'
           AND ${live}`,
        [...part, now],
      );
      sessions.push(...rows.map((row) => toSession(row.payload as string)));
    }
    return sessions;
  }

  async sessionByUid(uid: string, now: number): Promise<HandOffSession | null> {
    const found = await this.findByUid('Session', uid, now);
    return found ? toSession(found.payload) : null;
  }

  async deleteForUsers(userIds: readonly UserId[]): Promise<number> {
    let deleted = 0;
    for (const part of chunks(userIds)) {
      deleted += await this.sql.run(
        `DELETE FROM oidc_payloads WHERE user_id IN (${placeholders(part.length)})`,
        part,
      );
    }
    return deleted;
  }

  async deleteSession(uid: string): Promise<void> {
    const rows = await this.sql.all("SELECT payload FROM oidc_payloads WHERE uid = ? AND model = 'Session'", [
      uid,
    ]);
    for (const row of rows) {
      for (const grantId of grantsOf(row.payload as string)) await this.revokeByGrantId(grantId);
    }
    await this.sql.run("DELETE FROM oidc_payloads WHERE uid = ? AND model = 'Session'", [uid]);
  }

  async sweep(now: number, limit: number): Promise<number> {
    const rows = await this.sql.all<{ model: string; id: string }>(
      `SELECT model, id FROM oidc_payloads WHERE expires_at <= ? ORDER BY expires_at${limitSql(limit)}`,
      [now],
    );
    const byModel = new Map<string, string[]>();
    for (const row of rows) byModel.set(row.model, [...(byModel.get(row.model) ?? []), row.id]);
    let deleted = 0;
    for (const [model, ids] of byModel) {
      for (const part of chunks(ids)) {
        deleted += await this.sql.run(
          `DELETE FROM oidc_payloads WHERE model = ? AND id IN (${placeholders(part.length)}) AND expires_at <= ?`,
          [model, ...part, now],
        );
      }
    }
    return deleted;
  }

  private async one(sql: string, params: unknown[]): Promise<OidcStoredPayload | null> {
    const rows = await this.sql.all(sql, params);
    if (rows.length === 0) return null;
    return { payload: rows[0].payload as string, consumed: numOrNull(rows[0].consumed_at) };
  }
}

interface StoredSession {
  uid?: string;
  accountId?: string;
  authorizations?: Record<string, { sid?: string; grantId?: string }>;
}

function parse(payload: string): StoredSession {
  const value: unknown = JSON.parse(payload);
  return typeof value === 'object' && value !== null ? (value as StoredSession) : {};
}

function toSession(payload: string): HandOffSession {
  const session = parse(payload);
  return {
    uid: String(session.uid ?? ''),
    userId: String(session.accountId ?? '') as UserId,
    clients: Object.entries(session.authorizations ?? {})
      .filter(([, a]) => typeof a?.sid === 'string')
      .map(([clientId, a]) => ({ clientId, sid: a.sid as string })),
  };
}

function grantsOf(payload: string): string[] {
  return Object.values(parse(payload).authorizations ?? {})
    .map((a) => a?.grantId)
    .filter((g): g is string => typeof g === 'string');
}
