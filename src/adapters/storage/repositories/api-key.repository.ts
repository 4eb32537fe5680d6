import type { AccountId, UserId } from '../../../domain/ids';
import type { Account, ApiKey, ApiKeyRepository } from '../../../domain/ports';
import type { SqlRunner } from '../sql-runner';
import { chunks, num, numOrNull, placeholders } from './sql';

export class ApiKeyRepositorySql implements ApiKeyRepository {
  constructor(private readonly sql: SqlRunner) {}

  async insert(key: ApiKey, keyHash: string): Promise<void> {
    await this.sql.run(
      'INSERT INTO api_keys (id, account_id, user_id, kind, key_hash, label, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [key.id, key.accountId, key.userId, key.kind, keyHash, key.label, key.created],
    );
  }

  async findByHash(keyHash: string): Promise<(ApiKey & { accountStatus: Account['status'] }) | null> {
    const rows = await this.sql.all<Record<string, unknown>>(
      `SELECT k.*, a.status AS account_status FROM api_keys k JOIN accounts a ON a.id = k.account_id
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
    };
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
}
