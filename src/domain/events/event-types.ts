import type { AccountId } from '../ids';

/**
 * The change feed's event types: a stable, versioned vocabulary of their own (docs/events.md),
 * not the audit log's actions, which may change with the audit trail.
 */
export const eventTypes = [
  'user.created',
  'user.updated',
  'user.deactivated',
  'user.reactivated',
  'user.deleted',
  'group.created',
  'group.renamed',
  'group.deleted',
  'group.member_added',
  'group.member_removed',
  'user.role_changed',
  'user.mfa_required_changed',
  'account.ownership_transferred',
  'session.ended',
  'api_key.revoked',
  'scim_token.revoked',
  'account.closed',
  'deprovisioning.brake_held',
  'deprovisioning.brake_released',
  'hr_sync.finished',
  'webhook.disabled',
] as const;

export type EventType = (typeof eventTypes)[number];

export function isEventType(value: string): value is EventType {
  return (eventTypes as readonly string[]).includes(value);
}

export type EventSubjectType = 'user' | 'group' | 'account' | 'session' | 'api_key' | 'scim_token';

export interface EventSubject {
  type: EventSubjectType;
  id: string;
  /** A user's email, where known: what an RFC 9493 email subject identifier needs. */
  email?: string;
}

/** One change as the feed publishes it; version 1 of the shapes in docs/events.md. */
export interface RosterEvent {
  /** A UUID, stable across re-reads and deliveries (a webhook's id, an SET's jti source). */
  id: string;
  type: EventType;
  version: 1;
  accountId: AccountId;
  /** The account's own sequence: 1, 2, 3… without gaps, in commit order. */
  seq: number;
  /** The global feed order: increasing in the order events become readable, not gap-free. */
  position: number;
  /** ISO 8601, when the change happened. */
  occurredAt: string;
  subject: EventSubject;
  data: Record<string, unknown>;
}

/** What a domain change appends; the store gives it an id, a seq and (once committed) a position. */
export interface EventDraft {
  type: EventType;
  accountId: AccountId;
  /** Milliseconds since the epoch. */
  occurredAt: number;
  subject: EventSubject;
  data: Record<string, unknown>;
}
