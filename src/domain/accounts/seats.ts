import { DomainError } from '../errors';
import type { AccountId } from '../ids';
import type { Tx } from '../ports';

export interface SeatUse {
  limit: number | null;
  used: number;
}

export async function seatUse(tx: Tx, accountId: AccountId): Promise<SeatUse> {
  const account = await tx.accounts.get(accountId);
  return { limit: account?.seatLimit ?? null, used: await seatsUsed(tx, accountId) };
}

/** Active users, plus pending invitations: one holds its seat, so accepting never finds the account full. */
async function seatsUsed(tx: Tx, accountId: AccountId): Promise<number> {
  return (await tx.users.countActive(accountId)) + (await tx.invitations.countPending(accountId));
}

/**
 * shared/seeds/004 "Cannot add more users": an active user takes a seat, a deactivated one does
 * not; a pending invitation does. Called inside the write transaction, which holds the account's
 * lock, so two concurrent provisioning requests cannot both take the last seat.
 */
export async function assertSeatAvailable(tx: Tx, accountId: AccountId): Promise<void> {
  // No limit: no count. Counting an account's users on every insert made a 100,000-row HR run quadratic.
  const limit = (await tx.accounts.get(accountId))?.seatLimit ?? null;
  if (limit === null || (await seatsUsed(tx, accountId)) < limit) return;
  throw DomainError.forbidden(
    'account.seat_limit_reached',
    `All ${limit} seats of this account are in use; deactivate a user or raise the seat limit before adding or reactivating one`,
  );
}
