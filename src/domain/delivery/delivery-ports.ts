import type { EventType, RosterEvent } from '../events/event-types';
import type { AccountId } from '../ids';

/**
 * Somewhere the delivery loop pushes events: a webhook endpoint, an SSF push stream. A transport
 * (its `kind`) stores its targets in `delivery_targets` through DeliveryTargetRepository (insert
 * on create, update on change, remove on delete), keeping what only it needs (secrets, stream
 * settings) in tables of its own keyed by the target id; the loop then fans every new event out
 * to each enabled target whose account and event types match, and asks the transport to render it.
 */
export interface DeliveryTargetRecord {
  id: string;
  /** The transport that renders for it: 'webhook', 'ssf_push'. */
  kind: string;
  /** Null: operator-wide, every account's events. */
  accountId: AccountId | null;
  /** Where the loop POSTs (postBounded: no redirects, internal addresses refused). */
  url: string;
  /** Only these types; null: every type. */
  eventTypes: readonly EventType[] | null;
  enabled: boolean;
  description: string;
  created: number;
  updated: number;
  /** Why the loop disabled it (repeated failure); null when enabled or disabled by hand. */
  disabledReason: string | null;
  /** When the current run of failed attempts began; null after an accepted delivery. */
  failingSince: number | null;
  lastSuccessAt: number | null;
}

/** One request, ready to send. */
export interface RenderedDelivery {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Turns an event into a request for one target of its kind (signing it its own way). Null: this
 * target does not take this event after all (the delivery is recorded as skipped).
 */
export interface DeliveryTransport {
  kind: string;
  render(event: RosterEvent, target: DeliveryTargetRecord): Promise<RenderedDelivery | null>;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'skipped';

/** One event on its way to one target: the delivery log's row. */
export interface Delivery {
  id: string;
  targetId: string;
  event: RosterEvent;
  /** `${subject.type}:${subject.id}`: deliveries of one subject to one target go in position order. */
  subjectKey: string;
  status: DeliveryStatus;
  attempts: number;
  /** When it was queued (or replayed): the retry age counts from here. */
  created: number;
  nextAttemptAt: number;
  lastAttemptAt: number | null;
  /** The HTTP status of the last answer; null when there was none (timeout, refused, network). */
  lastStatus: number | null;
  /** Why the last attempt failed, or the start of the receiver's answer. */
  lastError: string | null;
  deliveredAt: number | null;
}

/** A delivery taken by one instance under a lease (no other instance sends it until it ends). */
export interface ClaimedDelivery extends Delivery {
  leaseToken: string;
}

/** What an attempt came to, written back under the lease it was sent under. */
export type AttemptOutcome =
  | { id: string; leaseToken: string; result: 'delivered'; at: number; status: number }
  | { id: string; leaseToken: string; result: 'skipped'; at: number }
  | {
      id: string;
      leaseToken: string;
      result: 'retry' | 'failed';
      at: number;
      status: number | null;
      error: string;
      nextAttemptAt: number;
    };

export interface DeliveryLogQuery {
  status?: DeliveryStatus;
  /** Deliveries of events before this position (the previous page's last); newest first. */
  beforePosition?: number;
  limit: number;
}

export interface DeliveryTargetRepository {
  insert(target: DeliveryTargetRecord): Promise<void>;
  update(target: DeliveryTargetRecord): Promise<void>;
  /** Removes the target and its deliveries. */
  remove(targetId: string): Promise<void>;
  get(targetId: string): Promise<DeliveryTargetRecord | null>;
  /** One account's targets of a kind (null: the operator-wide ones), oldest first. */
  list(kind: string, accountId: AccountId | null): Promise<DeliveryTargetRecord[]>;
  /** Every enabled target of every kind (the fan-out; targets are few). */
  enabled(): Promise<DeliveryTargetRecord[]>;
  /** Records an accepted delivery: the failure run ends. */
  succeeded(targetId: string, at: number): Promise<void>;
  /** Records a failed attempt: starts the failure run if none; returns when it began. */
  failed(targetId: string, at: number): Promise<number>;
  /** Disables the target with a reason, if it is still enabled; false when it was not. */
  disable(targetId: string, reason: string, at: number): Promise<boolean>;
}

export interface DeliveryRepository {
  /** The fan-out cursor: the feed position up to which events were queued. */
  cursor(): Promise<number>;
  /** Compare-and-set of the cursor; false when another instance moved it first. */
  advanceCursor(from: number, to: number): Promise<boolean>;
  /** Queues deliveries; one that exists already (same target, same event) is left as it is. */
  enqueue(deliveries: readonly Delivery[]): Promise<void>;
  /**
   * Takes up to `limit` pending deliveries that are due, unleased (or whose lease ran out), to
   * enabled targets, each the earliest pending one of its subject for its target, under a new
   * lease until `leaseUntil`.
   */
  claim(now: number, leaseUntil: number, leaseToken: string, limit: number): Promise<ClaimedDelivery[]>;
  /** Writes outcomes whose lease still holds; returns how many were written. */
  record(outcomes: readonly AttemptOutcome[]): Promise<number>;
  /** A target's deliveries, newest event first. */
  log(targetId: string, query: DeliveryLogQuery): Promise<Delivery[]>;
  /**
   * Sets the target's deliveries of events in [fromPosition, toPosition] back to pending, due now,
   * their age counting from `now`; returns how many.
   */
  requeue(targetId: string, fromPosition: number, toPosition: number, now: number): Promise<number>;
  /** Which of these events the target has a delivery of. */
  existing(targetId: string, eventIds: readonly string[]): Promise<Set<string>>;
  /** How many deliveries wait (pending) in all: the bench and the fault test watch it. */
  pendingCount(): Promise<number>;
}
