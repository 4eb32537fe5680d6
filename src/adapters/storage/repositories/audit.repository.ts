import type { SqlRunner } from '../sql-runner';
import type { AuditEvent } from '../../../domain/audit/events';
import type { AccountId } from '../../../domain/ids';
import type { AuditFilter, AuditRepository } from '../../../domain/ports';

import type { Channel } from '../../../domain/actor';
import type { Dialect } from '../dialect';
import { chunks, limitSql, num, placeholders } from './sql';

const columns =
  'account_id, occurred_at, actor_kind, actor_id, channel, action, subject_type, subject_id, ' +
  'before_json, after_json, request_id';
const oneRow = `(${new Array(11).fill('?').join(', ')})`;

function eventValues(event: AuditEvent): unknown[] {
  return [
    event.accountId,
    event.occurredAt,
    event.actorKind,
    event.actorId,
    event.channel,
    event.action,
    event.subjectType,
    event.subjectId,
    event.before === null ? null : JSON.stringify(event.before),
    event.after === null ? null : JSON.stringify(event.after),
    event.requestId,
  ];
}

export class AuditRepositorySql implements AuditRepository {
  private readonly json: string;

  constructor(
    private readonly sql: SqlRunner,
    dialect: Dialect,
  ) {
    // Both return SQL NULL for a JSON null, so `role IS NULL` reads "no role" on either database.
    this.json = dialect === 'sqlite' ? 'json_extract' : 'JSON_VALUE';
  }

  async append(event: AuditEvent): Promise<void> {
    await this.appendMany([event]);
  }

  async appendMany(events: readonly AuditEvent[]): Promise<void> {
    // 11 parameters a row: 300 rows stay well under both drivers' limits.
    for (const part of chunks(events, 300)) {
      await this.sql.run(
        `INSERT INTO audit_events (${columns}) VALUES ${new Array(part.length).fill(oneRow).join(', ')}`,
        part.flatMap(eventValues),
      );
    }
  }

  async count(
    accountId: AccountId,
    actions: readonly string[],
    channel: Channel,
    since: number,
  ): Promise<number> {
    const rows = await this.sql.all<{ n: unknown }>(
      `SELECT COUNT(*) AS n FROM audit_events
        WHERE account_id = ? AND action IN (${placeholders(actions.length)}) AND occurred_at >= ? AND channel = ?`,
      [accountId, ...actions, since, channel],
    );
    return num(rows[0]?.n ?? 0);
  }

  async countRolesLostThroughGroups(accountId: AccountId, since: number): Promise<number> {
    // The (account_id, action, occurred_at) index narrows to the window's role changes first.
    const rows = await this.sql.all<{ n: unknown }>(
      `SELECT COUNT(*) AS n FROM audit_events
        WHERE account_id = ? AND action = 'user.role_changed' AND occurred_at >= ?
          AND ${this.json}(before_json, '$.source') = 'group' AND ${this.json}(after_json, '$.role') IS NULL`,
      [accountId, since],
    );
    return num(rows[0]?.n ?? 0);
  }

  async list(accountId: AccountId, options: AuditFilter = {}): Promise<AuditEvent[]> {
    const where = ['account_id = ?'];
    const params: unknown[] = [accountId];
    const add = (clause: string, value: unknown) => {
      if (value === undefined) return;
      where.push(clause);
      params.push(value);
    };
    add('id < ?', options.before);
    add('actor_id = ?', options.actorId);
    add('subject_id = ?', options.subjectId);
    add('action = ?', options.action);
    add('occurred_at >= ?', options.since);
    add('occurred_at < ?', options.until);
    const rows: Record<string, unknown>[] = await this.sql.all(
      `SELECT * FROM audit_events WHERE ${where.join(' AND ')} ORDER BY id DESC${limitSql(options.limit ?? 100)}`,
      params,
    );
    return rows.map((row) => ({
      id: num(row.id),
      accountId: row.account_id as AccountId,
      occurredAt: num(row.occurred_at),
      actorKind: row.actor_kind as AuditEvent['actorKind'],
      actorId: row.actor_id as string,
      channel: row.channel as AuditEvent['channel'],
      action: row.action as AuditEvent['action'],
      subjectType: row.subject_type as AuditEvent['subjectType'],
      subjectId: row.subject_id as string,
      before: row.before_json === null ? null : JSON.parse(row.before_json as string),
      after: row.after_json === null ? null : JSON.parse(row.after_json as string),
      requestId: (row.request_id as string | null) ?? null,
    }));
  }
}
