import type { Catalogue, RoleKey } from '../access/catalogue';
import { noRole } from '../access/effective-role';
import { userTargetIn, type RuleBook } from '../access/rule-book';
import type { RoleRecomputer } from '../access/role-recompute';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import { assertText, textLimits } from '../text';
import { isUuid, type AccountId, type UserId } from '../ids';
import type { Account, Clock, IdGenerator, Tx, UnitOfWork } from '../ports';
import type { User } from '../users/user';
import type { UserService } from '../users/user-service';
import { inChild } from './child-access';
import { isUsableMember } from './usable-member';

export interface NewChild {
  name: string;
  /** A user of the parent (id or userName); the parent's Owner when absent. */
  owner?: string;
}

export interface AccessChange {
  access: boolean;
  /** The role in the child; required when access is given for the first time. */
  role?: RoleKey;
}

/** One account a user can (or cannot) reach: their own, or a child of it. */
export interface AccountAccess {
  accountId: AccountId;
  name: string;
  kind: 'own' | 'child';
  access: boolean;
  role: RoleKey | null;
}

/**
 * Child accounts, one level deep. The parent's Owner and Admins (roles.assign) create them and decide,
 * per user and per child, whether the user has access and with which role. Access is a managed user
 * row in the child that points home, so everything in the child treats it as an ordinary user; a
 * child sees nothing of its parent or siblings, because every read is scoped by its account id.
 */
export class ChildAccountService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly catalogue: Catalogue,
    private readonly roles: RoleRecomputer,
    private readonly rules: RuleBook,
    private readonly users: UserService,
  ) {}

  async createChild(actor: Actor, input: NewChild): Promise<{ account: Account; owner: User }> {
    const name = input.name.trim();
    if (!name) throw DomainError.invalid('account.name_required', 'An account needs a name');
    assertText('account', 'name', name, textLimits.label);
    return this.uow.write(actor.accountId, async (tx) => {
      await this.rules.assert(tx, actor, 'children.create');
      const parent = await this.activeAccount(tx, actor.accountId);
      if (parent.parentId) {
        throw DomainError.precondition(
          'child.nesting_refused',
          'A child account cannot have child accounts of its own (one level only)',
        );
      }
      const home = await this.parentUser(tx, parent.id, input.owner ?? parent.ownerId);
      if (!(await isUsableMember(tx, home))) {
        throw DomainError.precondition('child.owner_inactive', `${home.userName} is not an active user`);
      }
      const now = this.clock.now();
      const childId = this.ids.newId() as AccountId;
      await tx.accounts.insert({ id: childId, name, status: 'active', created: now, parentId: parent.id });
      const owner = await this.users.provisionManagedIn(tx, actor, home, childId, this.ids.newId() as UserId);
      await tx.accounts.setOwner(childId, owner.id);
      const child = inChild(actor, childId);
      const created = { name, parent: parent.id, owner: home.userName };
      await recordAudit(tx, actor, this.clock, {
        action: 'child.created',
        subjectType: 'account',
        subjectId: childId,
        before: null,
        after: created,
      });
      await recordAudit(tx, child, this.clock, {
        action: 'account.created',
        subjectType: 'account',
        subjectId: childId,
        before: null,
        after: created,
      });
      await this.roles.recompute(tx, child, [owner.id]);
      const account = await tx.accounts.get(childId);
      return { account: account as Account, owner };
    });
  }

  async listChildren(actor: Actor): Promise<Account[]> {
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'users.view');
      return tx.children.childrenOf(actor.accountId);
    });
  }

  /** The caller's account and each of its children, with whether `user` has access there and as what. */
  async accessOf(actor: Actor, user: string): Promise<AccountAccess[]> {
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'users.view');
      return this.accessList(tx, actor.accountId, await this.parentUser(tx, actor.accountId, user));
    });
  }

  /** Gives, changes or takes away `user`'s access to a child; answers the user's access afterwards. */
  async setAccess(
    actor: Actor,
    user: string,
    childId: string,
    change: AccessChange,
  ): Promise<AccountAccess[]> {
    if (change.role !== undefined) this.assertGrantable(change.role);
    return this.uow.write(actor.accountId, async (tx) => {
      const home = await this.parentUser(tx, actor.accountId, user);
      await this.rules.assert(tx, actor, 'member.child_access.set', await this.rules.userTarget(tx, home));
      const child = await this.childOf(tx, actor.accountId, childId);
      const managedId = (await tx.children.accessOf(home.id)).find(
        (a) => a.childId === child.id,
      )?.managedUserId;
      if (!change.access) {
        if (managedId) {
          await this.assertKeepsAnAccount(tx, actor.accountId, home);
          await this.users.removeManagedIn(tx, actor, home, child, managedId);
        }
      } else {
        await this.giveAccess(tx, actor, home, child, managedId, change.role);
      }
      return this.accessList(tx, actor.accountId, home);
    });
  }

  private async giveAccess(
    tx: Tx,
    actor: Actor,
    home: User,
    child: Account,
    managedId: UserId | undefined,
    role: RoleKey | undefined,
  ): Promise<void> {
    if (role === undefined) {
      if (managedId) return;
      throw DomainError.invalid('child.role_required', 'Give a role with the access to a child account');
    }
    const id =
      managedId ??
      (await this.users.provisionManagedIn(tx, actor, home, child.id, this.ids.newId() as UserId)).id;
    // The child's Owner keeps the owner role there, as every Owner does.
    await this.rules.assert(tx, actor, 'member.role.set', userTargetIn(child, { id, accountId: child.id }));
    const current = (await tx.roles.stored(child.id, [id])).get(id)?.effective ?? noRole;
    if (current.source === 'group') {
      throw DomainError.precondition(
        'role.managed_by_group',
        `In "${child.name}" the role comes from the IdP group "${current.groupName}"`,
      );
    }
    await tx.roles.save(child.id, id, { effective: current, manualRoleKey: role }, this.clock.now());
    await this.roles.recompute(tx, inChild(actor, child.id), [id]);
    await recordAudit(tx, actor, this.clock, {
      action: managedId ? 'child.access_changed' : 'child.access_granted',
      subjectType: 'user',
      subjectId: home.id,
      before: managedId ? { child: child.id, role: current.roleKey } : null,
      after: { child: child.id, role },
    });
  }

  /** "A user always has access to at least one account": their own (a role there) or another child. */
  private async assertKeepsAnAccount(tx: Tx, accountId: AccountId, home: User): Promise<void> {
    const access = await this.accessList(tx, accountId, home);
    if (access.filter((a) => a.access).length <= 1) {
      throw DomainError.precondition(
        'access.last_account',
        `This is the last account ${home.userName} can access; a user always keeps at least one`,
      );
    }
  }

  private async accessList(tx: Tx, accountId: AccountId, home: User): Promise<AccountAccess[]> {
    const own = await this.activeAccount(tx, accountId);
    const ownRole = (await tx.roles.stored(accountId, [home.id])).get(home.id)?.effective.roleKey ?? null;
    const list: AccountAccess[] = [
      { accountId, name: own.name, kind: 'own', access: ownRole !== null, role: ownRole },
    ];
    const managed = new Map((await tx.children.accessOf(home.id)).map((a) => [a.childId, a.managedUserId]));
    for (const child of await tx.children.childrenOf(accountId)) {
      const id = managed.get(child.id);
      const role = id ? ((await tx.roles.stored(child.id, [id])).get(id)?.effective.roleKey ?? null) : null;
      list.push({ accountId: child.id, name: child.name, kind: 'child', access: Boolean(id), role });
    }
    return list;
  }

  private async activeAccount(tx: Tx, accountId: AccountId): Promise<Account> {
    const account = await tx.accounts.get(accountId);
    if (!account || account.status !== 'active') {
      throw DomainError.notFound('account.not_found', `Account ${accountId} not found`);
    }
    return account;
  }

  /** A child of `parentId` only: any other id, a sibling's parent's included, is not found. */
  private async childOf(tx: Tx, parentId: AccountId, childId: string): Promise<Account> {
    const child = isUuid(childId) ? await tx.accounts.get(childId as AccountId) : null;
    if (!child || child.parentId !== parentId || child.status !== 'active') {
      throw DomainError.notFound('child.not_found', `No child account ${childId} of this account`);
    }
    // The parent's row is locked by the unit of work; the child's own writes must wait too.
    await tx.children.lockChild(child.id);
    return child;
  }

  private async parentUser(tx: Tx, accountId: AccountId, user: string): Promise<User> {
    const found = isUuid(user)
      ? await tx.users.get(accountId, user as UserId)
      : await tx.users.findByUserName(accountId, user);
    if (!found) throw DomainError.notFound('user.not_found', `No user "${user}" in this account`);
    return found;
  }

  private assertGrantable(roleKey: RoleKey): void {
    if (!this.catalogue.hasRole(roleKey)) {
      const known = this.catalogue.roles.map((r) => r.key).join(', ');
      throw DomainError.invalid('role.unknown', `Unknown role "${roleKey}"; roles: ${known}`);
    }
    if (roleKey === this.catalogue.ownerRole.key) {
      throw DomainError.invalid(
        'role.owner_by_transfer_only',
        'The Owner role is only ever given by an ownership transfer',
      );
    }
  }
}
