import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import type { UserId } from '../ids';
import type { Clock, Tx } from '../ports';
import type { HandOffSession } from './oidc-ports';

/**
 * Ends the products' sign-ins (the OpenID Provider's sessions) of these users in the caller's
 * transaction: every session, grant, code and token of theirs is deleted, the audit log records
 * which products were signed in (the durable record of what the back-channel must say), and once
 * the transaction commits each product with a back-channel logout URI is told.
 */
export async function endUsersHandOffs(
  tx: Tx,
  actor: Actor,
  clock: Clock,
  userIds: readonly UserId[],
  reason: string,
): Promise<void> {
  const sessions = await tx.oidcPayloads.sessionsOf(userIds, clock.now());
  await tx.oidcPayloads.deleteForUsers(userIds);
  await recordEnded(tx, actor, clock, sessions, reason);
}

/** Ends one hand-off session (the Roster session it came from ended), and its grants. */
export async function endHandOff(
  tx: Tx,
  actor: Actor,
  clock: Clock,
  uid: string,
  reason: string,
): Promise<void> {
  const session = await tx.oidcPayloads.sessionByUid(uid, clock.now());
  await tx.oidcPayloads.deleteSession(uid);
  if (session) await recordEnded(tx, actor, clock, [session], reason);
}

async function recordEnded(
  tx: Tx,
  actor: Actor,
  clock: Clock,
  sessions: readonly HandOffSession[],
  reason: string,
): Promise<void> {
  const byUser = new Map<UserId, HandOffSession[]>();
  for (const session of sessions)
    byUser.set(session.userId, [...(byUser.get(session.userId) ?? []), session]);
  for (const [userId, ended] of byUser) {
    await recordAudit(tx, actor, clock, {
      action: 'oidc.sessions_ended',
      subjectType: 'user',
      subjectId: userId,
      before: { sessions: ended.map((s) => ({ uid: s.uid, clients: s.clients })) },
      after: { reason },
    });
    if (ended.some((s) => s.clients.length > 0)) {
      tx.afterCommit({
        kind: 'hand_off_sessions_ended',
        accountId: actor.accountId,
        userId,
        reason,
        sessions: ended,
      });
    }
  }
}
