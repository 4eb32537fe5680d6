import type { AccountId } from '../ids';
import type { EventDraft, EventType, RosterEvent } from './event-types';

export interface FeedQuery {
  /** One account's events; absent, every account's (the operator's feed). */
  accountId?: AccountId;
  /** The position of the last event already read; 0 reads from the start. */
  after: number;
  limit: number;
  /** Only these types; absent or empty, all. */
  types?: readonly EventType[];
}

/**
 * The change feed as its readers see it, oldest first. `after` returns only events whose position
 * is final, so a reader that follows positions never skips or repeats one, even while writers on
 * several instances commit out of order.
 */
export interface EventFeed {
  after(q: FeedQuery): Promise<RosterEvent[]>;
  /** The position of the newest readable event; 0 when there is none. */
  latestPosition(): Promise<number>;
}

/** The events table bound to one transaction. */
export interface EventRepository {
  /**
   * Appends in order, in a few multi-row statements, with the account's next seq numbers (taken
   * under a lock on the account's counter, so seq follows commit order).
   */
  appendMany(drafts: readonly EventDraft[]): Promise<void>;
  /**
   * Gives committed events that have none a position after every position given so far, in the
   * order they were written; returns how many. Run alone (it locks the sequencer's row).
   */
  sequence(limit: number): Promise<number>;
  /** Whether some event waits for a position (a cheap check before `sequence`). */
  hasUnsequenced(): Promise<boolean>;
  /** Positioned events after `q.after`, oldest first. */
  after(q: FeedQuery): Promise<RosterEvent[]>;
  latestPosition(): Promise<number>;
  /** Deletes up to `limit` positioned events that happened before `before`; returns how many. */
  sweep(before: number, limit: number): Promise<number>;
}
