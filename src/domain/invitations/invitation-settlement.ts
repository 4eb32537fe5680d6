import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import type { UserId } from '../ids';
import type { Clock, Tx } from '../ports';

/** Why an invitation stopped being needed before its invitee accepted it. */
export type Preemption =
  /** The IdP or the HR feed activated the user: they hold their own seat now. */
  | { status: 'provisioned' }
  /** The IdP or the HR feed left the user inactive, or the user was deleted. */
  | { status: 'revoked'; reason: 'deactivated' | 'deleted' };

/**
 * Settles the user's pending invitation, if any, when another channel decided about their access
 * first, in the caller's transaction and audited there. Otherwise an old link would reactivate
 * someone the IdP deactivated, or an invitee the IdP activated would hold a second seat.
 */
export async function settlePendingInvitation(
  tx: Tx,
  actor: Actor,
  clock: Clock,
  userId: UserId,
  outcome: Preemption,
): Promise<void> {
  const invitation = await tx.invitations.pendingFor(actor.accountId, userId);
  if (!invitation || !(await tx.invitations.settle(invitation.id, outcome.status, clock.now()))) return;
  await recordAudit(tx, actor, clock, {
    action: outcome.status === 'provisioned' ? 'invitation.provisioned' : 'invitation.revoked',
    subjectType: 'invitation',
    subjectId: invitation.id,
    before: { status: 'pending' },
    after: outcome,
  });
}
