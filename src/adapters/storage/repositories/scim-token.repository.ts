import type { SqlRunner } from '../sql-runner';
import type { AccountId, ScimTokenId } from '../../../domain/ids';
import type { Account, ScimToken, ScimTokenRepository } from '../../../domain/ports';
import { num, numOrNull } from './sql';

export class ScimTokenRepositorySql implements ScimTokenRepository {
  constructor(private readonly sql: SqlRunner) {}

  async insert(token: ScimToken, tokenHash: string): Promise<void> {
    await this.sql.run(
      'INSERT INTO scim_tokens (id, account_id, token_hash, label, created_at) VALUES (?, ?, ?, ?, ?)',
      [token.id, token.accountId, tokenHash, token.label, token.created],
    );
  }

  async findByHash(tokenHash: string): Promise<(ScimToken & { accountStatus: Account['status'] }) | null> {
    // Every SCIM request reads it: the columns named and read as values, not a row object.
    const rows = await this.sql.values(
      `SELECT t.id, t.account_id, t.label, t.created_at, t.last_used_at, t.revoked_at, a.status
         FROM scim_tokens t JOIN accounts a ON a.id = t.account_id
        WHERE t.token_hash = ?`,
      [tokenHash],
    );
    if (rows.length === 0) return null;
    const [id, accountId, label, created, lastUsed, revoked, status] = rows[0];
    return {
      id: id as ScimTokenId,
      accountId: accountId as AccountId,
      label: label as string,
      created: num(created),
      lastUsed: numOrNull(lastUsed),
      revoked: numOrNull(revoked),
      accountStatus: status as Account['status'],
    };
  }

  async list(accountId: AccountId): Promise<ScimToken[]> {
    const rows = await this.sql.all(
      'SELECT * FROM scim_tokens WHERE account_id = ? ORDER BY created_at, id',
      [accountId],
    );
    return rows.map(toToken);
  }

  async revoke(accountId: AccountId, tokenId: ScimTokenId, at: number): Promise<boolean> {
    const changed = await this.sql.run(
      'UPDATE scim_tokens SET revoked_at = ? WHERE account_id = ? AND id = ? AND revoked_at IS NULL',
      [at, accountId, tokenId],
    );
    return changed > 0;
  }

  async touch(tokenId: ScimTokenId, at: number): Promise<void> {
    await this.sql.run('UPDATE scim_tokens SET last_used_at = ? WHERE id = ?', [at, tokenId]);
  }
}

function toToken(row: Record<string, unknown>): ScimToken {
  return {
    id: row.id as ScimTokenId,
    accountId: row.account_id as AccountId,
    label: row.label as string,
    created: num(row.created_at),
    lastUsed: numOrNull(row.last_used_at),
    revoked: numOrNull(row.revoked_at),
  };
}
