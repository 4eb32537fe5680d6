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
function copiedFromHome(
  home: User,
): Pick<User, 'userName' | 'displayName' | 'givenName' | 'familyName' | 'emails'> {
  const { userName, displayName, givenName, familyName, emails } = home;
  return { userName, displayName, givenName, familyName, emails };
}

function sameCopy(a: User, b: User): boolean {
  return JSON.stringify(copiedFromHome(a)) === JSON.stringify(copiedFromHome(b));
}

/**
 * After a parent user's name, emails or userName changed: their managed user in each child takes
 * the new values in the same transaction, audited in that child.
 */
export async function refreshManagedUsers(
  tx: Tx,
  actor: Actor,
  clock: Clock,
  before: User,
  home: User,
): Promise<void> {
  if (sameCopy(before, home)) return;
  for (const access of await tx.children.accessOf(home.id)) {
    await tx.children.lockChild(access.childId);
    const managed = await tx.users.get(access.childId, access.managedUserId);
    if (managed && !sameCopy(managed, home)) await refreshManagedUser(tx, actor, clock, managed, home);
  }
}

async function refreshManagedUser(
  tx: Tx,
  actor: Actor,
  clock: Clock,
  managed: User,
  home: User,
): Promise<void> {
  const copy = copiedFromHome(home);
  const next: User = {
    ...managed,
    ...copy,
    profile: { ...managed.profile, userName: copy.userName, emails: copy.emails },
    version: managed.version + 1,
    lastModified: Math.max(clock.now(), managed.lastModified),
  };
  // A write of the child's own between our snapshot and its lock (MariaDB): the caller retries.
  if (!(await tx.users.update(next))) {
    throw DomainError.precondition(
      'user.version_mismatch',
      `User ${managed.id} was changed meanwhile; retry`,
    );
  }
  await recordAudit(tx, inChild(actor, managed.accountId), clock, {
    action: 'user.updated',
    subjectType: 'user',
    subjectId: managed.id,
    before: auditSnapshot(managed),
    after: { ...auditSnapshot(next), home: home.id },
  });
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
