import type { Actor } from '../actor';
import type { AccountId, UserId } from '../ids';
import type { User } from '../users/user';

/** The actor as it is recorded in a child account: the same person or key, writing there. */
export function inChild(actor: Actor, childId: AccountId): Actor {
  return { ...actor, accountId: childId };
}

/** The managed user that stands for `home` in a child: an ordinary user row, pointing home. */
export function managedUserFor(home: User, childId: AccountId, id: UserId, now: number): User {
  return {
    id,
    accountId: childId,
    ...copiedFromHome(home),
    // The child's own IdP may use externalIds; a managed user claims none.
    externalId: null,
    active: true,
    employeeNumber: null,
    managerId: null,
    profile: { userName: home.userName, emails: home.emails, active: true },
    version: 1,
    created: now,
    lastModified: now,
    homeUserId: home.id,
  };
}

/** What a managed user copies from its home user, and keeps in step with it (not `active`: usable-member.ts). */
export function copiedFromHome(
  home: User,
): Pick<User, 'userName' | 'displayName' | 'givenName' | 'familyName' | 'emails'> {
  const { userName, displayName, givenName, familyName, emails } = home;
  return { userName, displayName, givenName, familyName, emails };
}

export function sameCopy(a: User, b: User): boolean {
  return JSON.stringify(copiedFromHome(a)) === JSON.stringify(copiedFromHome(b));
}
