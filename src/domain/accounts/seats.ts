import { DomainError } from '../errors';
import type { AccountId, UserId } from '../ids';
import type { Tx } from '../ports';

export interface SeatUse {
  limit: number | null;
  used: number;
}

export async function seatUse(tx: Tx, accountId: AccountId): Promise<SeatUse> {
  const account = await tx.accounts.get(accountId);
  return { limit: account?.seatLimit ?? null, used: await seatsUsed(tx, accountId) };
}

/**
 * Each person once: an active user holds their own seat, and a pending invitation holds the seat
 * of its still inactive user, so accepting never finds the account full. Summing active users and
 * pending invitations would count an invitee twice once the IdP activated them.
 */
async function seatsUsed(tx: Tx, accountId: AccountId): Promise<number> {
  return (await tx.users.countActive(accountId)) + (await tx.invitations.countHeldSeats(accountId));
}

/**
 * shared/seeds/004 "Cannot add more users": an active user takes a seat, a deactivated one does
 * not; a pending invitation does. Called inside the write transaction, which holds the account's
 * lock, so two concurrent provisioning requests cannot both take the last seat. `userId`: the user
 * about to become active, who needs no new seat when their pending invitation holds one.
 */
export async function assertSeatAvailable(tx: Tx, accountId: AccountId, userId?: UserId): Promise<void> {
  // No limit: no count. Counting an account's users on every insert made a 100,000-row HR run quadratic.
  const limit = (await tx.accounts.get(accountId))?.seatLimit ?? null;
  if (limit === null || (await seatsUsed(tx, accountId)) < limit) return;
  if (userId !== undefined && (await tx.invitations.pendingFor(accountId, userId))) return;
  throw DomainError.forbidden(
    'account.seat_limit_reached',
    `All ${limit} seats of this account are in use; deactivate a user or raise the seat limit before adding or reactivating one`,
  );
}
