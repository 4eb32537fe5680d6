/** The change feed Shared Signals reads: the events outbox (docs/events.md). */
export type { EventFeed } from '../events/event-ports';
export type { EventType, RosterEvent } from '../events/event-types';
