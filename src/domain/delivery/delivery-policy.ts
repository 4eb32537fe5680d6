import type { RosterEvent } from '../events/event-types';
import type { Delivery, DeliveryTargetRecord } from './delivery-ports';

/** How the loop retries and when it gives up (WEBHOOK_* settings). */
export interface RetryPolicy {
  /** The wait before the first retry; each further one about doubles. */
  baseMs: number;
  /** The longest wait between two attempts. */
  maxMs: number;
  /** A delivery still failing this long after it was queued is marked failed. */
  maxAgeMs: number;
  /** A target that accepted nothing for this long while failing is disabled. */
  disableAfterMs: number;
}

/** Whether a target takes an event: its account (or every account) and its types (or every type). */
export function targetTakes(target: DeliveryTargetRecord, event: RosterEvent): boolean {
  if (!target.enabled) return false;
  if (target.accountId !== null && target.accountId !== event.accountId) return false;
  return target.eventTypes === null || target.eventTypes.includes(event.type);
}

/** Deliveries of one subject to one target keep the feed's order. */
export function subjectKeyOf(event: RosterEvent): string {
  return `${event.subject.type}:${event.subject.id}`;
}

/** A new pending delivery of `event` to `target`, due at once. */
export function newDelivery(
  id: string,
  target: DeliveryTargetRecord,
  event: RosterEvent,
  now: number,
): Delivery {
  return {
    id,
    targetId: target.id,
    event,
    subjectKey: subjectKeyOf(event),
    status: 'pending',
    attempts: 0,
    created: now,
    nextAttemptAt: now,
    lastAttemptAt: null,
    lastStatus: null,
    lastError: null,
    deliveredAt: null,
  };
}

/**
 * When to try again after the `attempts`-th failed attempt: exponential backoff with "full
 * jitter" over the upper half (so instances that failed together do not retry together), capped
 * at maxMs, and a last attempt when maxAgeMs is reached; null once it is: it fails for good.
 */
export function nextAttempt(
  policy: RetryPolicy,
  delivery: Pick<Delivery, 'created'>,
  attempts: number,
  now: number,
  random: () => number = Math.random,
): number | null {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempts - 1, 40));
  const wait = exponential / 2 + (random() * exponential) / 2;
  const deadline = delivery.created + policy.maxAgeMs;
  return now >= deadline ? null : Math.min(Math.round(now + wait), deadline);
}

/** A 2xx answer is the receiver's acceptance (Standard Webhooks); anything else is retried. */
export function accepted(status: number): boolean {
  return status >= 200 && status < 300;
}
