import type { Actor } from '../actor';
import { inChild, managedUserFor } from '../accounts/child-access';
import { assertSeatAvailable } from '../accounts/seats';
import { recordAudit } from '../audit/record';
import { endUsersHandOffs } from '../oidc/hand-off-sessions';
import { DomainError } from '../errors';
import type { AccountId, UserId } from '../ids';
import type { Account, Clock, Tx } from '../ports';
import { auditSnapshot, type User } from './user';
import type { UserRecords } from './user-records';

/**
 * The user rows that stand for a parent user in child accounts, written by the same rules as any
 * user (UserRecords) and audited in the child, with the actor of the parent re-scoped there.
 */
export class ManagedUsers {
  constructor(
    private readonly clock: Clock,
    private readonly records: UserRecords,
  ) {}

  /** A managed user is an active user of the child: it takes one of the child's seats. */
  async provision(tx: Tx, actor: Actor, home: User, childId: AccountId, id: UserId): Promise<User> {
    await assertSeatAvailable(tx, childId);
    const managed = managedUserFor(home, childId, id, this.clock.now());
    await this.records.insert(tx, inChild(actor, childId), managed, null, { home: home.id });
    await tx.children.setHome(childId, managed.id, home.id);
    return managed;
  }

  /**
   * Removes `home`'s managed user from `child` as a deletion there (reports, tombstone), audited in
   * both accounts. The child's Owner stays: ownership of a child moves only by transfer.
   */
  async remove(tx: Tx, actor: Actor, home: User, child: Account, managedUserId: UserId): Promise<void> {
    if (child.ownerId === managedUserId) {
      throw DomainError.precondition(
        'child.owner_access_unremovable',
        `${home.userName} is the Owner of the child account "${child.name}"; transfer its ownership first`,
      );
    }
    const inTheChild = inChild(actor, child.id);
    const managed = await tx.users.get(child.id, managedUserId);
    const role = (await tx.roles.stored(child.id, [managedUserId])).get(managedUserId)?.effective.roleKey;
    const change = { before: { child: child.id, role: role ?? null }, after: null };
    // Products signed in as them in the child are told (their sessions there go with the row).
    await endUsersHandOffs(tx, inTheChild, this.clock, [managedUserId], 'lost_access');
    if (managed) await this.records.erase(tx, inTheChild, managed);
    await recordAudit(tx, actor, this.clock, {
      action: 'child.access_removed',
      subjectType: 'user',
      subjectId: home.id,
      ...change,
    });
    await recordAudit(tx, inTheChild, this.clock, {
      action: 'child.access_removed',
      subjectType: 'user',
      subjectId: managedUserId,
      before: managed ? auditSnapshot(managed) : change.before,
      after: null,
    });
  }

  /** Before a parent user is deleted: their access to every child goes with them, audited. */
  async removeAll(tx: Tx, actor: Actor, home: User): Promise<void> {
    for (const access of await tx.children.accessOf(home.id)) {
      await tx.children.lockChild(access.childId);
      const child = await tx.accounts.get(access.childId);
      if (child) await this.remove(tx, actor, home, child, access.managedUserId);
    }
  }
}
