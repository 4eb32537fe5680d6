import { uuidGenerator } from '../../crypto/secrets';
import type { EventRepository, FeedQuery } from '../../../domain/events/event-ports';
import type {
  EventDraft,
  EventSubjectType,
  EventType,
  RosterEvent,
} from '../../../domain/events/event-types';
import type { AccountId } from '../../../domain/ids';
import type { Dialect } from '../dialect';
import type { SqlRunner } from '../sql-runner';
import { primaryEmail, type UserEmail } from '../../../domain/users/user';
import { bool, chunks, limitSql, num, placeholders } from './sql';

const columns =
  'id, account_id, seq, position, type, version, occurred_at, subject_type, subject_id, subject_email, data_json';
const oneRow = `(${placeholders(11)})`;
const selected = columns;

/**
 * The outbox. Writers append without a position; positions are given by the sequencer (`sequence`)
 * to committed events only, in one transaction that holds the sequencer's row, so positions become
 * readable in increasing order and a reader that follows them never skips one that commits late.
 * On SQLite, whose writers are serialized by the file's write lock, the writer gives its own
 * events their positions as it writes them.
 */
export class EventRepositorySql implements EventRepository {
  /** This transaction's events, written by `flush` just before it commits. */
  private pending: EventDraft[] = [];

  constructor(
    private readonly sql: SqlRunner,
    private readonly dialect: Dialect,
  ) {}

  async appendMany(drafts: readonly EventDraft[]): Promise<void> {
    for (const draft of drafts) this.pending.push(draft);
  }

  /**
   * Writes the transaction's events in a few multi-row statements, once, at its end (the unit of
   * work calls it before it commits): a bulk change that audits user by user (an HR run, a mapping
   * over a large group) takes each account's counter once and inserts 300 events a statement.
   */
  async flush(): Promise<void> {
    const drafts = this.pending;
    this.pending = [];
    if (drafts.length === 0) return;
    await completeUsers(this.sql, drafts);
    const nextSeq = await this.reserveSeqs(drafts);
    // SQLite: this transaction holds the file's write lock since the counter's update, so it can
    // give final positions at once; MariaDB: the sequencer gives them once it has committed.
    let position = this.dialect === 'sqlite' ? await this.lastPosition() : null;
    const rows = drafts.map((draft) => {
      const seq = nextSeq.get(draft.accountId)!;
      nextSeq.set(draft.accountId, seq + 1);
      return rowOf(draft, seq, position === null ? null : ++position);
    });
    // 11 parameters a row: 300 rows stay well under both drivers' limits.
    for (const part of chunks(rows, 300)) {
      await this.sql.run(
        `INSERT INTO events (${columns}) VALUES ${new Array(part.length).fill(oneRow).join(', ')}`,
        part.flat(),
      );
    }
    if (position !== null)
      await this.sql.run('UPDATE event_sequencer SET last_position = ? WHERE id = 1', [position]);
  }

  private async lastPosition(): Promise<number> {
    const [state] = await this.sql.all<{ last_position: unknown }>(
      'SELECT last_position FROM event_sequencer WHERE id = 1',
    );
    return num(state.last_position);
  }

  /**
   * Moves each account's counter on by its number of events and returns the first seq of each.
   * The counter's row stays locked until commit, so the account's writers take seqs in commit
   * order and a rolled-back writer's seqs are taken again by the next: no gaps.
   */
  private async reserveSeqs(drafts: readonly EventDraft[]): Promise<Map<AccountId, number>> {
    const counts = new Map<AccountId, number>();
    for (const draft of drafts) counts.set(draft.accountId, (counts.get(draft.accountId) ?? 0) + 1);
    const first = new Map<AccountId, number>();
    // Always in the same order, so two writers of the same accounts cannot deadlock.
    for (const accountId of [...counts.keys()].sort()) {
      const count = counts.get(accountId)!;
      await this.sql.run(
        this.dialect === 'sqlite'
          ? `INSERT INTO event_counters (account_id, last_seq) VALUES (?, ?)
               ON CONFLICT (account_id) DO UPDATE SET last_seq = last_seq + excluded.last_seq`
          : `INSERT INTO event_counters (account_id, last_seq) VALUES (?, ?)
               ON DUPLICATE KEY UPDATE last_seq = last_seq + VALUES(last_seq)`,
        [accountId, count],
      );
      const [row] = await this.sql.all<{ last_seq: unknown }>(
        `SELECT last_seq FROM event_counters WHERE account_id = ?${this.forUpdate()}`,
        [accountId],
      );
      first.set(accountId, num(row.last_seq) - count + 1);
    }
    return first;
  }

  async hasUnsequenced(): Promise<boolean> {
    const rows = await this.sql.all('SELECT row_id FROM events WHERE position IS NULL LIMIT 1');
    return rows.length > 0;
  }

  async sequence(limit: number): Promise<number> {
    // Taken first: one sequencer at a time, across instances, until this transaction ends.
    await this.sql.run('UPDATE event_sequencer SET updated_at = ? WHERE id = 1', [Date.now()]);
    const last = await this.lastPosition();
    // A plain read after the lock: on MariaDB it sees only transactions committed by now, and
    // never waits for one still open (whose events get their positions in a later pass).
    const ids = (
      await this.sql.values(
        `SELECT row_id FROM events WHERE position IS NULL ORDER BY row_id${limitSql(Math.min(limit, 10_000))}`,
      )
    ).map((row) => num(row[0]));
    if (ids.length === 0) return 0;
    // Positions keep the write order and come after every position given so far; gaps are allowed.
    const offset = last - ids[0] + 1;
    for (const part of chunks(ids, 1000)) {
      await this.sql.run(
        `UPDATE events SET position = row_id + ? WHERE row_id IN (${placeholders(part.length)})`,
        [offset, ...part],
      );
    }
    await this.sql.run('UPDATE event_sequencer SET last_position = ? WHERE id = 1', [
      ids[ids.length - 1] + offset,
    ]);
    return ids.length + (ids.length === 10_000 && limit > 10_000 ? await this.sequence(limit - 10_000) : 0);
  }

  async after(q: FeedQuery): Promise<RosterEvent[]> {
    const where = ['position > ?'];
    const params: unknown[] = [q.after];
    if (q.accountId !== undefined) {
      where.push('account_id = ?');
      params.push(q.accountId);
    }
    if (q.types && q.types.length > 0) {
      where.push(`type IN (${placeholders(q.types.length)})`);
      params.push(...q.types);
    }
    const rows = await this.sql.all<Record<string, unknown>>(
      `SELECT ${selected} FROM events WHERE ${where.join(' AND ')} ORDER BY position${limitSql(q.limit)}`,
      params,
    );
    return rows.map(eventOf);
  }

  async latestPosition(): Promise<number> {
    const [row] = await this.sql.all<{ p: unknown }>(
      'SELECT last_position AS p FROM event_sequencer WHERE id = 1',
    );
    return row ? num(row.p) : 0;
  }

  async sweep(before: number, limit: number): Promise<number> {
    // In feed order, up to the first event still kept: no index on the time for the writers to
    // keep up; an event that committed late after an older change waits for the next sweep.
    const rows = await this.sql.values(
      `SELECT row_id, occurred_at FROM events WHERE position IS NOT NULL ORDER BY position${limitSql(limit)}`,
      [],
    );
    const kept = rows.findIndex((row) => num(row[1]) >= before);
    const ids = (kept === -1 ? rows : rows.slice(0, kept)).map((row) => num(row[0]));
    let deleted = 0;
    for (const part of chunks(ids, 1000)) {
      deleted += await this.sql.run(
        `DELETE FROM events WHERE row_id IN (${placeholders(part.length)})`,
        part,
      );
    }
    return deleted;
  }

  private forUpdate(): string {
    return this.dialect === 'mysql' ? ' FOR UPDATE' : '';
  }
}

/**
 * Completes the events about a user with what the users table says now: the primary email as a
 * user's or session's subject email, and the userName and email (a user's active flag too) where
 * the event did not carry them. A deleted user's events keep what their snapshot said.
 */
async function completeUsers(sql: SqlRunner, drafts: readonly EventDraft[]): Promise<void> {
  const byAccount = new Map<AccountId, Set<string>>();
  for (const draft of drafts) {
    const userId = userIdOf(draft);
    if (userId === null) continue;
    const ids = byAccount.get(draft.accountId) ?? new Set<string>();
    byAccount.set(draft.accountId, ids.add(userId));
  }
  const found = new Map<string, { userName: string; email: string | null; active: boolean }>();
  for (const [accountId, ids] of byAccount) {
    for (const part of chunks([...ids], 500)) {
      const rows = await sql.values(
        `SELECT id, user_name, emails, active FROM users WHERE account_id = ? AND id IN (${placeholders(part.length)})`,
        [accountId, ...part],
      );
      for (const [id, userName, emails, active] of rows) {
        found.set(String(id), {
          userName: String(userName),
          email: primaryEmail(JSON.parse(String(emails)) as UserEmail[]),
          active: bool(active),
        });
      }
    }
  }
  for (const draft of drafts) {
    const user = found.get(userIdOf(draft) ?? '');
    if (!user) continue;
    const { type } = draft.subject;
    if (user.email && (type === 'user' || type === 'session'))
      draft.subject = { ...draft.subject, email: user.email };
    draft.data.userName ??= user.userName;
    draft.data.email ??= user.email;
    if (type === 'user') draft.data.active ??= user.active;
  }
}

/**
 * The user an event is about: its subject, or the user named in its data (a session, a member).
 * Not for role changes: a mapping moves 100,000 roles at once, and a look-up for each would cost
 * that change a third more (docs/events.md: they carry the userId).
 */
function userIdOf(draft: EventDraft): string | null {
  if (draft.type === 'user.role_changed') return null;
  if (draft.subject.type === 'user') return draft.subject.id;
  return typeof draft.data.userId === 'string' ? draft.data.userId : null;
}

function rowOf(draft: EventDraft, seq: number, position: number | null): unknown[] {
  return [
    uuidGenerator.newId(),
    draft.accountId,
    seq,
    position,
    draft.type,
    1,
    draft.occurredAt,
    draft.subject.type,
    draft.subject.id,
    draft.subject.email?.slice(0, 320) ?? null,
    JSON.stringify(draft.data),
  ];
}

function eventOf(row: Record<string, unknown>): RosterEvent {
  const email = row.subject_email as string | null;
  return {
    id: row.id as string,
    type: row.type as EventType,
    version: 1,
    accountId: row.account_id as AccountId,
    seq: num(row.seq),
    position: num(row.position),
    occurredAt: new Date(num(row.occurred_at)).toISOString(),
    subject: {
      type: row.subject_type as EventSubjectType,
      id: row.subject_id as string,
      ...(email ? { email } : {}),
    },
    data: JSON.parse(row.data_json as string) as Record<string, unknown>,
  };
}
