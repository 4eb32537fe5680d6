import type { EventType, RosterEvent } from './roster-events';
import {
  caepSessionRevoked,
  riscAccountDisabled,
  riscAccountEnabled,
  riscAccountPurged,
  ssfVerification,
  type SubjectFormat,
} from './ssf-vocabulary';

/** An RFC 9493 subject identifier, or an SSF complex subject of several. */
export type SubjectId =
  | { format: 'opaque'; id: string }
  | { format: 'email'; email: string }
  | { format: 'complex'; user: SubjectId; tenant: SubjectId; session?: SubjectId };

/** What a SET says, before the stream's issuer, audience, time and id are put around it. */
export interface Signal {
  eventType: string;
  subId: SubjectId;
  event: Record<string, unknown>;
  /** SSF §4.1.8: the Roster event behind it, the same in every SET it caused. */
  txn?: string;
}

/**
 * Which Shared Signals each Roster event may become, most specific first. A stream gets one SET
 * per Roster event, the first of these it asked for: a leaver is `account-disabled` to a stream
 * that takes RISC, and `session-revoked` to one that takes only CAEP (deactivation always ends
 * every Roster session and key of theirs). Sessions that end on their own are `session.ended`.
 */
const candidates: Partial<Record<EventType, readonly string[]>> = {
  'user.deactivated': [riscAccountDisabled, caepSessionRevoked],
  'user.reactivated': [riscAccountEnabled],
  'user.deleted': [riscAccountPurged, caepSessionRevoked],
  'session.ended': [caepSessionRevoked],
};

/** The Roster event types a stream that receives `delivered` has to read. */
export function rosterTypesFor(delivered: readonly string[]): EventType[] {
  return (Object.keys(candidates) as EventType[]).filter((type) =>
    candidates[type]!.some((t) => delivered.includes(t)),
  );
}

/** A person ending their own session (or its expiry) is not a revocation: CAEP says who revoked. */
const selfEnded = new Set(['logout', 'product_logout', 'idp_logout', 'expired']);

const reasons: Record<string, { entity: 'admin' | 'policy'; text: string }> = {
  deactivated: { entity: 'admin', text: 'The user was deactivated' },
  deleted: { entity: 'admin', text: 'The user was deleted' },
  lost_role: { entity: 'policy', text: 'The user no longer has a role on the account' },
};

/** The user an event is about: its subject, or (a session's end) the session's user. */
export function userIdOf(event: RosterEvent): string | undefined {
  return event.subject.type === 'user' ? event.subject.id : text(event.data.userId);
}

/**
 * The Signal `event` becomes on a stream that receives `delivered`; null when it becomes none.
 * `email` is the user's address where the event carries none (a session's end).
 */
export function signalFor(
  event: RosterEvent,
  delivered: readonly string[],
  format: SubjectFormat,
  email?: string,
): Signal | null {
  const eventType = candidates[event.type]?.find((t) => delivered.includes(t));
  if (!eventType) return null;
  const userId = userIdOf(event);
  if (!userId) return null;
  const sid = text(event.data.sid);
  const subId: SubjectId = {
    format: 'complex',
    user: userSubject(userId, event.subject.email ?? text(event.data.email) ?? email, format),
    tenant: { format: 'opaque', id: event.accountId },
    ...(eventType === caepSessionRevoked && sid ? { session: { format: 'opaque', id: sid } } : {}),
  };
  const at = Math.floor(Date.parse(event.occurredAt) / 1000);
  if (eventType !== caepSessionRevoked) return { eventType, subId, event: {}, txn: event.id };
  const why = event.type === 'session.ended' ? (text(event.data.reason) ?? 'ended') : event.type.slice(5);
  if (selfEnded.has(why)) return null;
  const reason = reasons[why] ?? { entity: 'admin', text: `The session was ended (${why})` };
  // A sweep or the HR feed acted by rule, not an administrator by hand.
  const channel = (event.data.actor as { channel?: unknown } | undefined)?.channel;
  const entity = channel === 'job' || channel === 'hr-sync' ? 'policy' : reason.entity;
  return {
    eventType,
    subId,
    event: { event_timestamp: at, initiating_entity: entity, reason_admin: { en: reason.text } },
    txn: event.id,
  };
}

/** SSF §8.1.4.1: the stream itself is the subject, and `state` comes back as the receiver sent it. */
export function verificationSignal(streamId: string, state: string | undefined): Signal {
  return {
    eventType: ssfVerification,
    subId: { format: 'opaque', id: streamId },
    event: state === undefined ? {} : { state },
  };
}

function userSubject(userId: string, email: string | undefined, format: SubjectFormat): SubjectId {
  return format === 'email' && email ? { format: 'email', email } : { format: 'opaque', id: userId };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
