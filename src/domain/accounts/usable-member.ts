import type { Tx } from '../ports';
import type { User } from '../users/user';

/**
 * Whether a user may act or be granted anything now: active, and for a managed user of a child
 * account, its home user in the parent active too. Deactivating the home user therefore ends their
 * access in every child at once, with no write in the children.
 */
export async function isUsableMember(tx: Tx, user: User | null | undefined): Promise<boolean> {
  if (!user?.active) return false;
  if (!user.homeUserId) return true;
  return (await tx.children.homeActive(user.id)) === true;
}
