import { inChild } from '../accounts/child-access';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import type { UserId } from '../ids';
import type { Clock, Tx } from '../ports';
import { endSessions } from '../sso/session-service';

export type AccessEndReason = 'deactivated' | 'lost_role';

/**
 * A leaver loses access in the same transaction that made them a leaver, whichever channel did
 * it: their member API keys are revoked (a returning user gets new ones) and their browser
 * sessions (SAML sign-ins) end, so their very next request is refused. A deactivated user's managed
 * users in child accounts may no longer enter either (sign_in asks for the home user too): theirs
 * end as well, so products signed in there are told.
 */
export async function endAccess(
  tx: Tx,
  actor: Actor,
  clock: Clock,
  userIds: readonly UserId[],
  reason: AccessEndReason,
): Promise<void> {
  if (userIds.length === 0) return;
  await revokeKeys(tx, actor, clock, userIds, reason);
  await endSessions(tx, actor, clock, userIds, reason);
  if (reason !== 'deactivated') return;
  for (const userId of userIds) {
    for (const { childId, managedUserId } of await tx.children.accessOf(userId)) {
      await endAccess(tx, inChild(actor, childId), clock, [managedUserId], reason);
    }
  }
}

async function revokeKeys(
  tx: Tx,
  actor: Actor,
  clock: Clock,
  userIds: readonly UserId[],
  reason: AccessEndReason,
): Promise<void> {
  // One read for many users (a mapping removed from a large group): most have no keys at all.
  const holders = await tx.apiKeys.liveKeyCounts(actor.accountId, userIds);
  if (holders.size === 0) return;
  await tx.apiKeys.revokeForUsers(actor.accountId, [...holders.keys()], clock.now());
  for (const [userId, keys] of holders) {
    await recordAudit(tx, actor, clock, {
      action: 'api_key.revoked',
      subjectType: 'user',
      subjectId: userId,
      before: null,
      after: { keys, reason },
    });
  }
}
