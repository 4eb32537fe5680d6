import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import type { UserId } from '../ids';
import type { Clock, Tx } from '../ports';
import { endSessions } from '../sso/session-service';

export type AccessEndReason = 'deactivated' | 'lost_role';

/**
 * A leaver loses access in the same transaction that made them a leaver, whichever channel did
 * it: their member API keys are revoked (a returning user gets new ones) and their browser
 * sessions (SAML sign-ins) end, so their very next request is refused.
 */
export async function endAccess(
  tx: Tx,
  actor: Actor,
  clock: Clock,
  userIds: readonly UserId[],
  reason: AccessEndReason,
): Promise<void> {
  for (const userId of userIds) {
    const keys = await tx.apiKeys.revokeForUsers(actor.accountId, [userId], clock.now());
    if (keys === 0) continue;
    await recordAudit(tx, actor, clock, {
      action: 'api_key.revoked',
      subjectType: 'user',
      subjectId: userId,
      before: null,
      after: { keys, reason },
    });
  }
  await endSessions(tx, actor, clock, userIds, reason);
}
