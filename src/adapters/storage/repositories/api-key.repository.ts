import type { AccountId, UserId } from '../../../domain/ids';
import type { Account, ApiKey, ApiKeyListing, ApiKeyRepository } from '../../../domain/ports';
import type { SqlRunner } from '../sql-runner';
import { bool, chunks, num, numOrNull, placeholders } from './sql';

export class ApiKeyRepositorySql implements ApiKeyRepository {
  constructor(private readonly sql: SqlRunner) {}

  async insert(key: ApiKey, keyHash: string): Promise<void> {
    await this.sql.run(
      'INSERT INTO api_keys (id, account_id, user_id, kind, key_hash, label, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [key.id, key.accountId, key.userId, key.kind, keyHash, key.label, key.created],
    );
  }

  async findByHash(
    keyHash: string,
  ): Promise<(ApiKey & { accountStatus: Account['status']; userHasAccess: boolean }) | null> {
    // One statement for every request of the admin API: the key, its account, and its user's
    // state now (a member key dies with its user's access, so this is read on every request).
    // A managed user of a child account is usable only while its home user is active. Values,
    // not objects: building a 15-key object cost a quarter of the statement on SQLite.
    const rows = await this.sql.values(
      `SELECT k.id, k.account_id, k.user_id, k.kind, k.label, k.created_at, k.last_used_at, k.revoked_at,
              a.status AS account_status, u.active AS user_active, r.role_key AS user_role_key,
              u.home_user_id, h.active AS home_active
         FROM api_keys k JOIN accounts a ON a.id = k.account_id
         LEFT JOIN users u ON u.id = k.user_id AND u.account_id = k.account_id
         LEFT JOIN users h ON h.id = u.home_user_id
         LEFT JOIN user_roles r ON r.user_id = u.id
        WHERE k.key_hash = ?`,
      [keyHash],
    );
    if (rows.length === 0) return null;
    const [
      id,
      accountId,
      userId,
      kind,
      label,
      created,
      lastUsed,
      revoked,
      accountStatus,
      userActive,
      userRoleKey,
      homeUserId,
      homeActive,
    ] = rows[0];
    return {
      id: id as string,
      accountId: accountId as AccountId,
      userId: (userId as UserId | null) ?? null,
      kind: kind as ApiKey['kind'],
      label: label as string,
      created: num(created),
      lastUsed: numOrNull(lastUsed),
      revoked: numOrNull(revoked),
      accountStatus: accountStatus as Account['status'],
      userHasAccess:
        bool(userActive) &&
        userRoleKey !== null &&
        userRoleKey !== undefined &&
        (homeUserId === null || homeUserId === undefined || bool(homeActive)),
    };
  }

  async liveKeyCounts(accountId: AccountId, userIds: readonly UserId[]): Promise<Map<UserId, number>> {
    const counts = new Map<UserId, number>();
    for (const part of chunks([...new Set(userIds)])) {
      const rows = await this.sql.all<{ user_id: UserId; n: unknown }>(
        `SELECT user_id, COUNT(*) AS n FROM api_keys WHERE account_id = ? AND revoked_at IS NULL
            AND user_id IN (${placeholders(part.length)}) GROUP BY user_id`,
        [accountId, ...part],
      );
      for (const row of rows) counts.set(row.user_id, num(row.n));
    }
    return counts;
  }

  async revokeForUsers(accountId: AccountId, userIds: readonly UserId[], at: number): Promise<number> {
    let revoked = 0;
    for (const part of chunks([...new Set(userIds)])) {
      revoked += await this.sql.run(
        `UPDATE api_keys SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL
            AND user_id IN (${placeholders(part.length)})`,
        [at, accountId, ...part],
      );
    }
    return revoked;
  }

  async touch(keyId: string, at: number): Promise<void> {
    await this.sql.run('UPDATE api_keys SET last_used_at = ? WHERE id = ?', [at, keyId]);
  }

  async list(accountId: AccountId): Promise<ApiKeyListing[]> {
    const rows = await this.sql.all<Record<string, unknown>>(
      `${listingSelect} WHERE k.account_id = ? ORDER BY k.created_at, k.id`,
      [accountId],
    );
    return rows.map(toListing);
  }

  async get(accountId: AccountId, keyId: string): Promise<ApiKeyListing | null> {
    const rows = await this.sql.all<Record<string, unknown>>(
      `${listingSelect} WHERE k.account_id = ? AND k.id = ?`,
      [accountId, keyId],
    );
    return rows.length === 0 ? null : toListing(rows[0]);
  }

  async revoke(accountId: AccountId, keyId: string, at: number): Promise<boolean> {
    const changed = await this.sql.run(
      'UPDATE api_keys SET revoked_at = ? WHERE account_id = ? AND id = ? AND revoked_at IS NULL',
      [at, accountId, keyId],
    );
    return changed > 0;
  }
}

const listingSelect = `SELECT k.id, k.account_id, k.user_id, k.kind, k.label, k.created_at, k.last_used_at,
       k.revoked_at, u.user_name
  FROM api_keys k LEFT JOIN users u ON u.id = k.user_id AND u.account_id = k.account_id`;

function toListing(row: Record<string, unknown>): ApiKeyListing {
  return {
    id: row.id as string,
    accountId: row.account_id as AccountId,
    userId: (row.user_id as UserId | null) ?? null,
    kind: row.kind as ApiKey['kind'],
    label: row.label as string,
    created: num(row.created_at),
    lastUsed: numOrNull(row.last_used_at),
    revoked: numOrNull(row.revoked_at),
    userName: (row.user_name as string | null) ?? null,
  };
}
