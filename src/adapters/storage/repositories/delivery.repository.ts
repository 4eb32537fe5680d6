import type {
  AttemptOutcome,
  ClaimedDelivery,
  Delivery,
  DeliveryLogQuery,
  DeliveryRepository,
  DeliveryStatus,
} from '../../../domain/delivery/delivery-ports';
import type { RosterEvent } from '../../../domain/events/event-types';
import type { Dialect } from '../dialect';
import type { SqlRunner } from '../sql-runner';
import { chunks, limitSql, num, numOrNull, placeholders } from './sql';

const columns =
  'id, target_id, event, subject_key, status, attempts, created_at, next_attempt_at, last_attempt_at, ' +
  'last_status, last_error, delivered_at, lease_token';

function toDelivery(row: Record<string, unknown>): ClaimedDelivery {
  return {
    id: row.id as string,
    targetId: row.target_id as string,
    event: JSON.parse(row.event as string) as RosterEvent,
    subjectKey: row.subject_key as string,
    status: row.status as DeliveryStatus,
    attempts: num(row.attempts),
    created: num(row.created_at),
    nextAttemptAt: num(row.next_attempt_at),
    lastAttemptAt: numOrNull(row.last_attempt_at),
    lastStatus: numOrNull(row.last_status),
    lastError: (row.last_error as string | null) ?? null,
    deliveredAt: numOrNull(row.delivered_at),
    leaseToken: (row.lease_token as string | null) ?? '',
  };
}

const cursorName = 'fan-out';

/**
 * The delivery queue and log in one table. Claims are compare-and-set updates under a fresh lease
 * token, so of two instances claiming at once each row goes to one of them; outcomes are written
 * only under the token they were claimed with.
 */
export class DeliveryRepositorySql implements DeliveryRepository {
  constructor(
    private readonly sql: SqlRunner,
    private readonly dialect: Dialect,
  ) {}

  async cursor(): Promise<number> {
    const [row] = await this.sql.all('SELECT position FROM delivery_cursors WHERE name = ?', [cursorName]);
    return row ? num(row.position) : 0;
  }

  async advanceCursor(from: number, to: number): Promise<boolean> {
    const moved = await this.sql.run(
      'UPDATE delivery_cursors SET position = ? WHERE name = ? AND position = ?',
      [to, cursorName, from],
    );
    return moved > 0;
  }

  async enqueue(deliveries: readonly Delivery[]): Promise<void> {
    const ignore =
      this.dialect === 'sqlite'
        ? 'ON CONFLICT (target_id, event_id) DO NOTHING'
        : 'ON DUPLICATE KEY UPDATE id = id';
    for (const part of chunks(deliveries, 200)) {
      const values = part.flatMap((d) => [
        d.id,
        d.targetId,
        d.event.id,
        d.event.position,
        d.subjectKey,
        JSON.stringify(d.event),
        d.status,
        d.attempts,
        d.created,
        d.nextAttemptAt,
      ]);
      const rows = part.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
      await this.sql.run(
        `INSERT INTO deliveries (id, target_id, event_id, event_position, subject_key, event, status, attempts,
           created_at, next_attempt_at) VALUES ${rows} ${ignore}`,
        values,
      );
    }
  }

  async claim(
    now: number,
    leaseUntil: number,
    leaseToken: string,
    limit: number,
  ): Promise<ClaimedDelivery[]> {
    const candidates = await this.sql.all<{ id: string }>(
      `SELECT d.id FROM deliveries d JOIN delivery_targets t ON t.id = d.target_id
        WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until < ?)
          AND t.enabled = ?
          AND NOT EXISTS (SELECT 1 FROM deliveries e
                           WHERE e.target_id = d.target_id AND e.subject_key = d.subject_key
                             AND e.status = 'pending' AND e.event_position < d.event_position)
        ORDER BY d.event_position${limitSql(limit)}`,
      [now, now, true],
    );
    if (candidates.length === 0) return [];
    const ids = candidates.map((c) => c.id);
    await this.sql.run(
      `UPDATE deliveries SET lease_token = ?, lease_until = ?
        WHERE id IN (${placeholders(ids.length)}) AND status = 'pending' AND (lease_until IS NULL OR lease_until < ?)`,
      [leaseToken, leaseUntil, ...ids, now],
    );
    const rows = await this.sql.all(`SELECT ${columns} FROM deliveries WHERE lease_token = ?`, [leaseToken]);
    return rows.map(toDelivery).sort((a, b) => a.event.position - b.event.position);
  }

  async record(outcomes: readonly AttemptOutcome[]): Promise<number> {
    let written = 0;
    // Accepted ones, the bulk of a healthy loop, in one statement per claim and status.
    const accepted = new Map<string, { ids: string[]; token: string; status: number; at: number }>();
    for (const o of outcomes) {
      if (o.result === 'delivered') {
        const key = `${o.leaseToken}:${o.status}`;
        const group = accepted.get(key) ?? { ids: [], token: o.leaseToken, status: o.status, at: 0 };
        group.ids.push(o.id);
        group.at = Math.max(group.at, o.at);
        accepted.set(key, group);
      } else if (o.result === 'skipped') {
        written += await this.sql.run(
          `UPDATE deliveries SET status = 'skipped', lease_token = NULL, lease_until = NULL, last_attempt_at = ?
            WHERE id = ? AND lease_token = ?`,
          [o.at, o.id, o.leaseToken],
        );
      } else {
        written += await this.sql.run(
          `UPDATE deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?, last_attempt_at = ?,
             last_status = ?, last_error = ?, lease_token = NULL, lease_until = NULL
            WHERE id = ? AND lease_token = ?`,
          [
            o.result === 'failed' ? 'failed' : 'pending',
            o.nextAttemptAt,
            o.at,
            o.status,
            o.error,
            o.id,
            o.leaseToken,
          ],
        );
      }
    }
    for (const group of accepted.values()) {
      for (const ids of chunks(group.ids)) {
        written += await this.sql.run(
          `UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, last_attempt_at = ?, last_status = ?,
             last_error = NULL, delivered_at = ?, lease_token = NULL, lease_until = NULL
            WHERE lease_token = ? AND id IN (${placeholders(ids.length)})`,
          [group.at, group.status, group.at, group.token, ...ids],
        );
      }
    }
    return written;
  }

  async log(targetId: string, query: DeliveryLogQuery): Promise<Delivery[]> {
    const where = ['target_id = ?'];
    const params: unknown[] = [targetId];
    if (query.status) {
      where.push('status = ?');
      params.push(query.status);
    }
    if (query.beforePosition !== undefined) {
      where.push('event_position < ?');
      params.push(query.beforePosition);
    }
    const rows = await this.sql.all(
      `SELECT ${columns} FROM deliveries WHERE ${where.join(' AND ')} ORDER BY event_position DESC${limitSql(query.limit)}`,
      params,
    );
    return rows.map((row) => {
      const { leaseToken: _leaseToken, ...delivery } = toDelivery(row);
      return delivery;
    });
  }

  async requeue(targetId: string, fromPosition: number, toPosition: number, now: number): Promise<number> {
    return this.sql.run(
      `UPDATE deliveries SET status = 'pending', attempts = 0, created_at = ?, next_attempt_at = ?,
         lease_token = NULL, lease_until = NULL, delivered_at = NULL
        WHERE target_id = ? AND event_position >= ? AND event_position <= ?`,
      [now, now, targetId, fromPosition, toPosition],
    );
  }

  async existing(targetId: string, eventIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const part of chunks(eventIds)) {
      const rows = await this.sql.all<{ event_id: string }>(
        `SELECT event_id FROM deliveries WHERE target_id = ? AND event_id IN (${placeholders(part.length)})`,
        [targetId, ...part],
      );
      for (const row of rows) found.add(row.event_id);
    }
    return found;
  }

  async pendingCount(): Promise<number> {
    const [row] = await this.sql.all("SELECT COUNT(*) AS n FROM deliveries WHERE status = 'pending'");
    return num(row?.n ?? 0);
  }
}
