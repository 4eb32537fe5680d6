import type { EffectiveRole } from '../access/effective-role';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import type { AccountId, UserId } from '../ids';
import type { Clock, Tx } from '../ports';
import type { UserView } from '../users/user';
import { defaultMfaPolicy, mfaRequirementFor, type MfaPolicy } from './mfa-policy';

/** The account's policy, or the default when it never set one. */
export async function policyOf(tx: Tx, accountId: AccountId): Promise<MfaPolicy> {
  return (await tx.mfa.get(accountId)) ?? defaultMfaPolicy();
}

/** Adds the effective MFA requirement to each view that lacks it (one policy read for them all). */
export async function withMfaState(tx: Tx, accountId: AccountId, views: UserView[]): Promise<UserView[]> {
  if (views.every((view) => view.mfa !== undefined)) return views;
  const policy = await policyOf(tx, accountId);
  return views.map((view) => ({
    ...view,
    mfa: view.mfa ?? mfaRequirementFor(policy, roleKeyOf(view.role), view.user.mfaRequired),
  }));
}

const roleKeyOf = (role: EffectiveRole | undefined) => role?.roleKey ?? null;

/**
 * Audits a change of a user's own MFA flag, whichever channel made it (SCIM from the IdP, the
 * admin API, the CLI), in the caller's transaction; nothing when it did not change.
 */
export async function recordUserFlagChange(
  tx: Tx,
  actor: Actor,
  clock: Clock,
  userId: UserId,
  before: boolean | null,
  after: boolean | null,
): Promise<void> {
  if (before === after) return;
  await recordAudit(tx, actor, clock, {
    action: 'user.mfa_required_changed',
    subjectType: 'user',
    subjectId: userId,
    before: { mfaRequired: before },
    after: { mfaRequired: after },
  });
}
