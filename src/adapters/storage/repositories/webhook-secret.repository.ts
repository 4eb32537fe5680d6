import type { WebhookSecret, WebhookSecretRepository } from '../../../domain/delivery/webhook-ports';
import type { SqlRunner } from '../sql-runner';
import { num, numOrNull } from './sql';

export class WebhookSecretRepositorySql implements WebhookSecretRepository {
  constructor(private readonly sql: SqlRunner) {}

  async insert(s: WebhookSecret): Promise<void> {
    await this.sql.run(
      'INSERT INTO webhook_secrets (id, target_id, sealed, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      [s.id, s.targetId, s.sealed, s.created, s.expires],
    );
  }

  async live(targetId: string, now: number): Promise<WebhookSecret[]> {
    const rows = await this.sql.all(
      `SELECT id, target_id, sealed, created_at, expires_at FROM webhook_secrets
        WHERE target_id = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY created_at DESC, id`,
      [targetId, now],
    );
    return rows.map((row) => ({
      id: row.id as string,
      targetId: row.target_id as string,
      sealed: row.sealed as string,
      created: num(row.created_at),
      expires: numOrNull(row.expires_at),
    }));
  }

  async expireAt(targetId: string, at: number): Promise<void> {
    await this.sql.run(
      'UPDATE webhook_secrets SET expires_at = ? WHERE target_id = ? AND (expires_at IS NULL OR expires_at > ?)',
      [at, targetId, at],
    );
  }
}
