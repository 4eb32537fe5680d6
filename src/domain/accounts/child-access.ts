import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import type { AccountId, UserId } from '../ids';
import type { Account, Clock, Tx } from '../ports';
import { auditSnapshot, type User } from '../users/user';

/** The actor as it is recorded in a child account: the same person or key, writing there. */
export function inChild(actor: Actor, childId: AccountId): Actor {
  return { ...actor, accountId: childId };
}

/** The managed user that stands for `home` in a child: an ordinary user row, pointing home. */
export function managedUserFor(home: User, childId: AccountId, id: UserId, now: number): User {
  return {
    id,
    accountId: childId,
    userName: home.userName,
    // The child's own IdP may use externalIds; a managed user claims none.
    externalId: null,
    active: true,
    displayName: home.displayName,
    givenName: home.givenName,
    familyName: home.familyName,
    employeeNumber: null,
    managerId: null,
    emails: home.emails,
    profile: { userName: home.userName, emails: home.emails, active: true },
    version: 1,
    created: now,
    lastModified: now,
    homeUserId: home.id,
  };
}

/**
 * Removes `home`'s managed user from `child` with its role, keys and memberships, audited in both
 * accounts. The child's Owner stays: ownership of a child moves only by transfer.
 */
export async function removeChildAccess(
  tx: Tx,
  actor: Actor,
  clock: Clock,
  home: User,
  child: Account,
  managedUserId: UserId,
): Promise<void> {
  if (child.ownerId === managedUserId) {
    throw DomainError.precondition(
      'child.owner_access_unremovable',
      `${home.userName} is the Owner of the child account "${child.name}"; transfer its ownership first`,
    );
  }
  const managed = await tx.users.get(child.id, managedUserId);
  const role = (await tx.roles.stored(child.id, [managedUserId])).get(managedUserId)?.effective.roleKey;
  await tx.users.delete(child.id, managedUserId);
  const change = { before: { child: child.id, role: role ?? null }, after: null };
  await recordAudit(tx, actor, clock, {
    action: 'child.access_removed',
    subjectType: 'user',
    subjectId: home.id,
    ...change,
  });
  await recordAudit(tx, inChild(actor, child.id), clock, {
    action: 'child.access_removed',
    subjectType: 'user',
    subjectId: managedUserId,
    before: managed ? auditSnapshot(managed) : change.before,
    after: null,
  });
}

/** Before a parent user is deleted: their access to every child goes with them, audited. */
export async function removeAllChildAccess(tx: Tx, actor: Actor, clock: Clock, home: User): Promise<void> {
  for (const access of await tx.children.accessOf(home.id)) {
    await tx.children.lockChild(access.childId);
    const child = await tx.accounts.get(access.childId);
    if (child) await removeChildAccess(tx, actor, clock, home, child, access.managedUserId);
  }
}
