import type { DeliveryTargetRecord, DeliveryTargetRepository } from '../../../domain/delivery/delivery-ports';
import type { EventType } from '../../../domain/events/event-types';
import type { AccountId } from '../../../domain/ids';
import type { SqlRunner } from '../sql-runner';
import { bool, num, numOrNull } from './sql';

const columns =
  'id, kind, account_id, url, event_types, enabled, description, created_at, updated_at, disabled_reason, ' +
  'failing_since, last_success_at';

function toTarget(row: Record<string, unknown>): DeliveryTargetRecord {
  return {
    id: row.id as string,
    kind: row.kind as string,
    accountId: (row.account_id as AccountId | null) ?? null,
    url: row.url as string,
    eventTypes: row.event_types ? (JSON.parse(row.event_types as string) as EventType[]) : null,
    enabled: bool(row.enabled),
    description: row.description as string,
    created: num(row.created_at),
    updated: num(row.updated_at),
    disabledReason: (row.disabled_reason as string | null) ?? null,
    failingSince: numOrNull(row.failing_since),
    lastSuccessAt: numOrNull(row.last_success_at),
  };
}

/** The targets of every transport in one table (the fan-out reads them all at once). */
export class DeliveryTargetRepositorySql implements DeliveryTargetRepository {
  constructor(private readonly sql: SqlRunner) {}

  async insert(t: DeliveryTargetRecord): Promise<void> {
    await this.sql.run(
      `INSERT INTO delivery_targets (${columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        t.id,
        t.kind,
        t.accountId,
        t.url,
        t.eventTypes ? JSON.stringify(t.eventTypes) : null,
        t.enabled,
        t.description,
        t.created,
        t.updated,
        t.disabledReason,
        t.failingSince,
        t.lastSuccessAt,
      ],
    );
  }

  async update(t: DeliveryTargetRecord): Promise<void> {
    await this.sql.run(
      `UPDATE delivery_targets SET url = ?, event_types = ?, enabled = ?, description = ?, updated_at = ?,
         disabled_reason = ?, failing_since = ? WHERE id = ?`,
      [
        t.url,
        t.eventTypes ? JSON.stringify(t.eventTypes) : null,
        t.enabled,
        t.description,
        t.updated,
        t.disabledReason,
        t.failingSince,
        t.id,
      ],
    );
  }

  async remove(targetId: string): Promise<void> {
    // Children first: SQLite enforces the cascade only with foreign keys on, MariaDB always.
    await this.sql.run('DELETE FROM deliveries WHERE target_id = ?', [targetId]);
    await this.sql.run('DELETE FROM webhook_secrets WHERE target_id = ?', [targetId]);
    await this.sql.run('DELETE FROM delivery_targets WHERE id = ?', [targetId]);
  }

  async get(targetId: string): Promise<DeliveryTargetRecord | null> {
    const [row] = await this.sql.all(`SELECT ${columns} FROM delivery_targets WHERE id = ?`, [targetId]);
    return row ? toTarget(row) : null;
  }

  async list(kind: string, accountId: AccountId | null): Promise<DeliveryTargetRecord[]> {
    const rows =
      accountId === null
        ? await this.sql.all(
            `SELECT ${columns} FROM delivery_targets WHERE kind = ? AND account_id IS NULL ORDER BY created_at, id`,
            [kind],
          )
        : await this.sql.all(
            `SELECT ${columns} FROM delivery_targets WHERE kind = ? AND account_id = ? ORDER BY created_at, id`,
            [kind, accountId],
          );
    return rows.map(toTarget);
  }

  async enabled(): Promise<DeliveryTargetRecord[]> {
    const rows = await this.sql.all(`SELECT ${columns} FROM delivery_targets WHERE enabled = ?`, [true]);
    return rows.map(toTarget);
  }

  async succeeded(targetId: string, at: number): Promise<void> {
    await this.sql.run('UPDATE delivery_targets SET failing_since = NULL, last_success_at = ? WHERE id = ?', [
      at,
      targetId,
    ]);
  }

  async failed(targetId: string, at: number): Promise<number> {
    await this.sql.run(
      'UPDATE delivery_targets SET failing_since = ? WHERE id = ? AND failing_since IS NULL',
      [at, targetId],
    );
    const [row] = await this.sql.all('SELECT failing_since FROM delivery_targets WHERE id = ?', [targetId]);
    return numOrNull(row?.failing_since) ?? at;
  }

  async disable(targetId: string, reason: string, at: number): Promise<boolean> {
    const changed = await this.sql.run(
      'UPDATE delivery_targets SET enabled = ?, disabled_reason = ?, updated_at = ? WHERE id = ? AND enabled = ?',
      [false, reason.slice(0, 255), at, targetId, true],
    );
    return changed > 0;
  }
}
