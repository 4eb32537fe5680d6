import type { AccountId } from '../../../domain/ids';
import type {
  PendingSet,
  SetClaims,
  SsfStream,
  SsfStreamRepository,
  StreamDelivery,
} from '../../../domain/ssf/ssf-ports';
import type { StreamStatus, SubjectFormat } from '../../../domain/ssf/ssf-vocabulary';
import { insertIgnore, type Dialect } from '../dialect';
import type { SqlRunner } from '../sql-runner';
import { chunks, num, numOrNull, placeholders } from './sql';

const streamColumns =
  'id, account_id, audience, events_requested, delivery_method, endpoint_url, authorization_sealed, ' +
  'subject_format, description, status, status_reason, feed_position, created_at, updated_at, last_verification_at';

/** Shared Signals streams and their waiting SETs; every read of a stream names its account. */
export class SsfStreamRepositorySql implements SsfStreamRepository {
  constructor(
    private readonly sql: SqlRunner,
    private readonly dialect: Dialect,
  ) {}

  async insert(stream: SsfStream): Promise<void> {
    await this.sql.run(`INSERT INTO ssf_streams (${streamColumns}) VALUES (${placeholders(15)})`, [
      stream.id,
      stream.accountId,
      ...this.settings(stream),
      stream.position,
      stream.created,
      stream.updated,
      stream.lastVerification,
    ]);
  }

  async get(accountId: AccountId, streamId: string): Promise<SsfStream | null> {
    const rows = await this.sql.all(
      `SELECT ${streamColumns} FROM ssf_streams WHERE account_id = ? AND id = ?`,
      [accountId, streamId],
    );
    return rows.length ? toStream(rows[0]) : null;
  }

  async list(accountId: AccountId): Promise<SsfStream[]> {
    const rows = await this.sql.all(
      `SELECT ${streamColumns} FROM ssf_streams WHERE account_id = ? ORDER BY created_at, id`,
      [accountId],
    );
    return rows.map(toStream);
  }

  async update(stream: SsfStream): Promise<void> {
    await this.sql.run(
      `UPDATE ssf_streams SET audience = ?, events_requested = ?, delivery_method = ?, endpoint_url = ?,
         authorization_sealed = ?, subject_format = ?, description = ?, status = ?, status_reason = ?,
         updated_at = ?, last_verification_at = ?
       WHERE account_id = ? AND id = ?`,
      [...this.settings(stream), stream.updated, stream.lastVerification, stream.accountId, stream.id],
    );
  }

  async delete(accountId: AccountId, streamId: string): Promise<boolean> {
    await this.sql.run(
      'DELETE FROM ssf_stream_sets WHERE stream_id IN (SELECT id FROM ssf_streams WHERE account_id = ? AND id = ?)',
      [accountId, streamId],
    );
    return (
      (await this.sql.run('DELETE FROM ssf_streams WHERE account_id = ? AND id = ?', [accountId, streamId])) >
      0
    );
  }

  async advance(streamId: string, from: number, to: number): Promise<boolean> {
    return (
      (await this.sql.run('UPDATE ssf_streams SET feed_position = ? WHERE id = ? AND feed_position = ?', [
        to,
        streamId,
        from,
      ])) > 0
    );
  }

  async enqueue(streamId: string, sets: readonly SetClaims[]): Promise<void> {
    for (const part of chunks(sets, 200)) {
      await this.sql.run(
        `${insertIgnore(this.dialect)} INTO ssf_stream_sets (stream_id, jti, claims) VALUES ${part.map(() => '(?, ?, ?)').join(', ')}`,
        part.flatMap((set) => [streamId, set.jti, JSON.stringify(set)]),
      );
    }
  }

  async pending(streamId: string, limit: number): Promise<PendingSet[]> {
    const rows = await this.sql.all(
      `SELECT ordinal, jti, claims FROM ssf_stream_sets WHERE stream_id = ? ORDER BY ordinal LIMIT ${Math.max(1, Math.floor(limit))}`,
      [streamId],
    );
    return rows.map((row) => ({
      ordinal: num(row.ordinal),
      jti: row.jti as string,
      claims: JSON.parse(row.claims as string) as SetClaims,
    }));
  }

  async remove(streamId: string, jtis: readonly string[]): Promise<number> {
    let removed = 0;
    for (const part of chunks(jtis)) {
      removed += await this.sql.run(
        `DELETE FROM ssf_stream_sets WHERE stream_id = ? AND jti IN (${placeholders(part.length)})`,
        [streamId, ...part],
      );
    }
    return removed;
  }

  async clear(streamId: string): Promise<void> {
    await this.sql.run('DELETE FROM ssf_stream_sets WHERE stream_id = ?', [streamId]);
  }

  async streamsWith(method: StreamDelivery['method'], status: StreamStatus): Promise<SsfStream[]> {
    const rows = await this.sql.all(
      `SELECT ${streamColumns} FROM ssf_streams WHERE delivery_method = ? AND status = ? ORDER BY created_at, id`,
      [method, status],
    );
    return rows.map(toStream);
  }

  /** The stream's settings, in the column order of insert and update (audience … status_reason). */
  private settings(stream: SsfStream): unknown[] {
    const push = stream.delivery.method === 'push' ? stream.delivery : null;
    return [
      JSON.stringify(stream.audience),
      JSON.stringify(stream.eventsRequested),
      stream.delivery.method,
      push?.endpointUrl ?? null,
      push?.sealedAuthorization ?? null,
      stream.subjectFormat,
      stream.description,
      stream.status,
      stream.statusReason,
    ];
  }
}

function toStream(row: Record<string, unknown>): SsfStream {
  const delivery: StreamDelivery =
    row.delivery_method === 'push'
      ? {
          method: 'push',
          endpointUrl: row.endpoint_url as string,
          sealedAuthorization: (row.authorization_sealed as string | null) ?? null,
        }
      : { method: 'poll' };
  return {
    id: row.id as string,
    accountId: row.account_id as AccountId,
    audience: JSON.parse(row.audience as string) as string[],
    eventsRequested: JSON.parse(row.events_requested as string) as string[],
    delivery,
    subjectFormat: row.subject_format as SubjectFormat,
    description: (row.description as string | null) ?? null,
    status: row.status as StreamStatus,
    statusReason: (row.status_reason as string | null) ?? null,
    position: num(row.feed_position),
    created: num(row.created_at),
    updated: num(row.updated_at),
    lastVerification: numOrNull(row.last_verification_at),
  };
}
