import type { AuditEvent } from '../audit/events';
import type { AccountId } from '../ids';
import type { EventDraft, EventSubject, EventType } from './event-types';

type Json = Record<string, unknown>;

/**
 * The feed's events for audit records: the audit trail is the outbox's source, so every change
 * that is audited in a transaction appends its events in that same transaction. Audit records
 * with no feed meaning (sign-ins, invitations, settings) map to none.
 */
export function eventsForAudit(records: readonly AuditEvent[]): EventDraft[] {
  return records.flatMap(eventsFor);
}

function eventsFor(record: AuditEvent): EventDraft[] {
  const before = asJson(record.before);
  const after = asJson(record.after);
  const at = record.occurredAt;
  const make = (type: EventType, subject: EventSubject, data: Json, accountId = record.accountId) => ({
    type,
    accountId,
    occurredAt: at,
    subject,
    data: { ...data, actor: { kind: record.actorKind, id: record.actorId, channel: record.channel } },
  });
  const user = (snapshot: Json | null): EventSubject => userSubject(record.subjectId, snapshot);
  switch (record.action) {
    case 'user.provisioned':
    case 'user.restored':
      return [
        make('user.created', user(after), userData(after, { restored: record.action === 'user.restored' })),
      ];
    case 'user.updated':
      return [
        make('user.updated', user(after), { ...userData(after), changed: changedFields(before, after) }),
      ];
    case 'user.deactivated':
    case 'user.reactivated': {
      const type = record.action === 'user.deactivated' ? 'user.deactivated' : 'user.reactivated';
      return [make(type, user(after), { ...userData(after), changed: changedFields(before, after) })];
    }
    case 'user.deleted':
      return [make('user.deleted', user(before), userData(before))];
    case 'group.created':
      return [
        make('group.created', groupSubject(record), groupData(after)),
        ...members(record, after, 'addedMembers', 'group.member_added', make),
      ];
    case 'group.updated': {
      const renamed =
        before?.displayName !== after?.displayName ||
        (before?.externalId ?? null) !== (after?.externalId ?? null);
      return [
        ...(renamed
          ? [
              make('group.renamed', groupSubject(record), {
                ...groupData(after),
                previous: groupData(before),
              }),
            ]
          : []),
        ...members(record, after, 'addedMembers', 'group.member_added', make),
        ...members(record, after, 'removedMembers', 'group.member_removed', make),
      ];
    }
    case 'group.deleted':
      return [make('group.deleted', groupSubject(record), groupData(before))];
    case 'user.role_changed':
      return [make('user.role_changed', user(null), { userId: record.subjectId, old: before, new: after })];
    case 'user.mfa_required_changed':
      return [
        make('user.mfa_required_changed', user(null), {
          userId: record.subjectId,
          old: before?.mfaRequired ?? null,
          new: after?.mfaRequired ?? null,
        }),
      ];
    case 'account.ownership_transferred':
      return [
        make('account.ownership_transferred', accountSubject(record.subjectId), {
          from: before?.owner ?? null,
          to: after?.owner ?? null,
          ...(after?.reason ? { reason: after.reason } : {}),
        }),
      ];
    case 'account.closed':
      // A closed child account is the child's news: it goes in the child's own feed.
      return [
        make('account.closed', accountSubject(record.subjectId), after ?? {}, record.subjectId as AccountId),
      ];
    case 'api_key.revoked':
      return record.subjectType === 'api_key'
        ? [make('api_key.revoked', { type: 'api_key', id: record.subjectId }, after ?? {})]
        : [
            // A leaver's keys, revoked together: the subject is the user whose keys they were.
            make('api_key.revoked', user(null), { userId: record.subjectId, ...after }),
          ];
    case 'scim_token.revoked':
      return [make('scim_token.revoked', { type: 'scim_token', id: record.subjectId }, {})];
    case 'sso.session_ended':
      return sessionIds(before).map((sid) =>
        make('session.ended', { type: 'session', id: sid }, sessionData(record, after, sid, 'sso')),
      );
    case 'oidc.sessions_ended':
      return sessionIds(before).map((sid) =>
        make('session.ended', { type: 'session', id: sid }, sessionData(record, after, sid, 'oidc')),
      );
    case 'account.mass_deprovisioning_approved':
      return [
        make('deprovisioning.brake_released', accountSubject(record.accountId), { ...before, ...after }),
      ];
    case 'deprovisioning.brake_held':
      return [make('deprovisioning.brake_held', accountSubject(record.accountId), { ...before, ...after })];
    case 'webhook.disabled':
      // The loop gave up on an endpoint: the account's other endpoints (and the feed) say so.
      return [
        make('webhook.disabled', accountSubject(record.accountId), { webhookId: record.subjectId, ...after }),
      ];
    case 'hr_sync.finished':
      return [make('hr_sync.finished', accountSubject(record.accountId), after ?? {})];
    default:
      return [];
  }
}

type Make = (type: EventType, subject: EventSubject, data: Json) => EventDraft;

function members(
  record: AuditEvent,
  after: Json | null,
  key: string,
  type: EventType,
  make: Make,
): EventDraft[] {
  const ids = after?.[key];
  if (!Array.isArray(ids)) return [];
  const group = groupData(after);
  return ids.map((userId) => make(type, groupSubject(record), { ...group, userId: String(userId) }));
}

function asJson(value: unknown): Json | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null;
}

function userSubject(id: string, snapshot: Json | null): EventSubject {
  const email = firstEmail(snapshot);
  return { type: 'user', id, ...(email ? { email } : {}) };
}

function firstEmail(snapshot: Json | null): string | undefined {
  const emails = snapshot?.emails;
  return Array.isArray(emails) && typeof emails[0] === 'string' ? emails[0] : undefined;
}

function userData(snapshot: Json | null, extra: Json = {}): Json {
  if (!snapshot) return extra;
  return {
    userName: snapshot.userName ?? null,
    email: firstEmail(snapshot) ?? null,
    active: snapshot.active ?? null,
    externalId: snapshot.externalId ?? null,
    displayName: snapshot.displayName ?? null,
    ...extra,
  };
}

/** The names of the snapshot fields that differ (the version aside). */
function changedFields(before: Json | null, after: Json | null): string[] {
  if (!before || !after) return [];
  return Object.keys(after).filter(
    (key) => key !== 'version' && key in before && JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  );
}

function groupSubject(record: AuditEvent): EventSubject {
  return { type: 'group', id: record.subjectId };
}

function groupData(snapshot: Json | null): Json {
  return { displayName: snapshot?.displayName ?? null, externalId: snapshot?.externalId ?? null };
}

function accountSubject(id: string): EventSubject {
  return { type: 'account', id };
}

/** The ids of the sessions an audit record ended: Roster's own (strings) or products' (with a uid). */
function sessionIds(before: Json | null): string[] {
  if (typeof before?.session === 'string') return [before.session];
  const sessions = before?.sessions;
  if (!Array.isArray(sessions)) return [];
  return sessions.flatMap((s: unknown) =>
    typeof s === 'string' ? [s] : typeof (s as Json)?.uid === 'string' ? [(s as Json).uid as string] : [],
  );
}

function sessionData(record: AuditEvent, after: Json | null, sid: string, kind: 'sso' | 'oidc'): Json {
  return { userId: record.subjectId, reason: after?.reason ?? null, sid, sessionKind: kind };
}
