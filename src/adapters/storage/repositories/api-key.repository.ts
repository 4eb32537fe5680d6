import type { AccountId, UserId } from '../../../domain/ids';
import type { Account, ApiKey, ApiKeyRepository } from '../../../domain/ports';
import type { SqlRunner } from '../sql-runner';
import { bool, num, numOrNull } from './sql';

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
    const rows = await this.sql.all<Record<string, unknown>>(
      `SELECT k.*, a.status AS account_status, u.active AS user_active, r.role_key AS user_role_key
         FROM api_keys k JOIN accounts a ON a.id = k.account_id
         LEFT JOIN users u ON u.id = k.user_id AND u.account_id = k.account_id
         LEFT JOIN user_roles r ON r.user_id = u.id
        WHERE k.key_hash = ?`,
      [keyHash],
    );
    if (rows.length === 0) return null;
    const row = rows[0];
    return {
      id: row.id as string,
      accountId: row.account_id as AccountId,
      userId: (row.user_id as UserId | null) ?? null,
      kind: row.kind as ApiKey['kind'],
      label: row.label as string,
      created: num(row.created_at),
      lastUsed: numOrNull(row.last_used_at),
      revoked: numOrNull(row.revoked_at),
      accountStatus: row.account_status as Account['status'],
      userHasAccess: bool(row.user_active) && row.user_role_key !== null && row.user_role_key !== undefined,
    };
  }

  async touch(keyId: string, at: number): Promise<void> {
    await this.sql.run('UPDATE api_keys SET last_used_at = ? WHERE id = ?', [at, keyId]);
  }
}
