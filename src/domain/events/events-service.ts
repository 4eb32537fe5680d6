import type { RuleBook } from '../access/rule-book';
import type { Actor } from '../actor';
import { DomainError } from '../errors';
import type { AccountId } from '../ids';
import type { UnitOfWork } from '../ports';
import { pageLimit } from '../query';
import { decodeCursor, encodeCursor } from './event-cursor';
import type { EventFeed } from './event-ports';
import { isEventType, type EventType, type RosterEvent } from './event-types';

export interface EventPageQuery {
  /** A nextCursor from an earlier page; absent, from the oldest event kept. */
  after?: string;
  limit?: number;
  /** Only these types; absent or empty, every type. */
  types?: readonly string[];
}

export interface EventPage {
  events: RosterEvent[];
  /** Pass as `after` for the next page; it stays where it was when nothing new has happened. */
  nextCursor: string;
  /** More events were there than the limit: read again at once rather than waiting. */
  hasMore: boolean;
}

const maxPage = 1000;
const sweepBatch = 5000;

/** Reads the change feed, oldest first, one account's (`events.read`) or, for the operator, all. */
export class EventsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly rules: RuleBook,
    private readonly feed: EventFeed,
  ) {}

  async list(actor: Actor, query: EventPageQuery): Promise<EventPage> {
    const q = parse(query);
    await this.uow.read((tx) => this.rules.assert(tx, actor, 'events.read'));
    return this.page(actor.accountId, q);
  }

  /**
   * Every account's events (or one account's), for the operator at the CLI, who holds the
   * database's credentials anyway: no account's rule book applies.
   */
  listForOperator(query: EventPageQuery & { accountId?: AccountId }): Promise<EventPage> {
    return this.page(query.accountId, parse(query));
  }

  /**
   * Deletes the events that happened before `before` (the retention sweep), in transactions of a
   * few thousand so that no lock is held long; returns how many.
   */
  async sweep(before: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const done = await this.uow.write(null, (tx) => tx.events.sweep(before, sweepBatch));
      deleted += done;
      if (done < sweepBatch) return deleted;
    }
  }

  private async page(accountId: AccountId | undefined, q: ParsedQuery): Promise<EventPage> {
    // One more than the page: whether another page follows, without a second read.
    const read = await this.feed.after({
      ...(accountId ? { accountId } : {}),
      after: q.after,
      limit: q.limit + 1,
      types: q.types,
    });
    const events = read.slice(0, q.limit);
    const last = events.length > 0 ? events[events.length - 1].position : q.after;
    return { events, nextCursor: encodeCursor(last), hasMore: read.length > q.limit };
  }
}

interface ParsedQuery {
  after: number;
  limit: number;
  types: EventType[];
}

function parse(query: EventPageQuery): ParsedQuery {
  const limit = pageLimit(query.limit, maxPage, 'events.limit_invalid');
  const after = query.after === undefined ? 0 : decodeCursor(query.after);
  const types = [...new Set(query.types ?? [])];
  const unknown = types.filter((type) => !isEventType(type));
  if (unknown.length > 0) {
    throw DomainError.invalid(
      'events.type_invalid',
      `Unknown event type ${unknown.map((t) => JSON.stringify(t)).join(', ')}; see docs/events.md`,
    );
  }
  return { after, limit, types: types as EventType[] };
}
