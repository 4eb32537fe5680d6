import { assertSeatAvailable } from '../accounts/seats';
import { noRole } from '../access/effective-role';
import { endAccess } from '../access/end-access';
import type { DeprovisioningBrake } from './deprovisioning-brake';
import type { AccessPolicy } from '../access/policy';
import type { RoleRecomputer } from '../access/role-recompute';
import type { Actor } from '../actor';
import { refreshManagedUsers, removeAllChildAccess } from '../accounts/child-access';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import { isUuid, type UserId } from '../ids';
import type { Clock, IdGenerator, Tx, UnitOfWork, UserTombstone } from '../ports';
import type { ListQuery, Page, UserCollection, UserField } from '../query';
import { recordUserFlagChange, withMfaState } from '../mfa/mfa-state';
import { assertValidDraft, auditSnapshot, type User, type UserDraft, type UserView } from './user';

export interface WriteOptions {
  /** The version the caller last saw (If-Match); the write is refused when it moved on. */
  expectedVersion?: number | readonly number[];
}

export interface ProvisionResult {
  view: UserView;
  /** True when an inactive user with the same externalId came back (Okta re-POST). */
  restored: boolean;
}

/** Owns every rule about a user's record: provisioning, changes, deactivation, deletion. */
export class UserService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly roles: RoleRecomputer,
    private readonly policy: AccessPolicy,
    private readonly brake: DeprovisioningBrake,
  ) {}

  async get(actor: Actor, userId: string): Promise<UserView> {
    return this.uow.read(async (tx) => {
      // One statement for the user and their groups: this is the hottest read of all.
      const view = isUuid(userId) ? await tx.users.getView(actor.accountId, userId as UserId) : null;
      if (!view) throw notFound(userId);
      const [withMfa] = await withMfaState(tx, actor.accountId, [view]);
      return withMfa;
    });
  }

  async list(actor: Actor, query: ListQuery<UserField, UserCollection>): Promise<Page<UserView>> {
    return this.uow.read(async (tx) => {
      const page = await tx.users.list(actor.accountId, query);
      const ids = page.items.map((u) => u.id);
      const groups = await tx.users.groupsOf(actor.accountId, ids);
      const roles = await tx.roles.stored(actor.accountId, ids);
      const items = page.items.map((user) => ({
        user,
        groups: groups.get(user.id) ?? [],
        role: roles.get(user.id)?.effective ?? noRole,
      }));
      return { total: page.total, items: await withMfaState(tx, actor.accountId, items) };
    });
  }

  /**
   * Creates a user, or restores the inactive user with the same externalId (Okta sends a fresh
   * POST after a deactivation and expects the same person back, not a 409).
   */
  async provision(actor: Actor, draft: UserDraft): Promise<ProvisionResult> {
    assertValidDraft(draft);
    return this.uow.write(actor.accountId, async (tx) => {
      const previous = draft.externalId
        ? await tx.users.findByExternalId(actor.accountId, draft.externalId)
        : null;
      if (previous && !previous.active) {
        if (draft.active) await assertSeatAvailable(tx, actor.accountId);
        await this.assertMayManage(tx, actor, 'users.invite', null);
        await this.assertManager(tx, actor, draft, null);
        const restored = await this.save(tx, actor, previous, draft, 'user.restored');
        await this.roles.recompute(tx, actor, [restored.id]);
        return { view: await this.viewOf(tx, restored), restored: true };
      }
      const user = await this.provisionIn(tx, actor, draft);
      // The account's default role, if it has one, applies from the first moment.
      await this.roles.recompute(tx, actor, [user.id]);
      return { view: await this.viewOf(tx, user), restored: false };
    });
  }

  /**
   * Creates a user inside the caller's transaction, by the same rules as provision: for a bulk
   * channel (the HR sync) that writes a chunk of changes per transaction. The caller then calls
   * recomputeRoles once for the chunk. `id` lets a plan name its new users before they exist.
   */
  async provisionIn(tx: Tx, actor: Actor, draft: UserDraft, id?: UserId): Promise<User> {
    assertValidDraft(draft);
    await this.assertMayManage(tx, actor, 'users.invite', null);
    await this.assertManager(tx, actor, draft, null);
    if (draft.active) await assertSeatAvailable(tx, actor.accountId);
    const now = this.clock.now();
    const buried = await this.findBuried(tx, actor, draft, id);
    if (buried) await tx.users.removeTombstone(actor.accountId, buried.userId);
    const user: User = {
      ...draft,
      mfaRequired: draft.mfaRequired ?? null,
      id: id ?? buried?.userId ?? (this.ids.newId() as UserId),
      accountId: actor.accountId,
      version: 1,
      created: now,
      lastModified: now,
    };
    await tx.users.insert(user);
    await recordAudit(tx, actor, this.clock, {
      action: 'user.provisioned',
      subjectType: 'user',
      subjectId: user.id,
      // Whichever channel brings them back, the event says who they were.
      before: buried ? { deleted: new Date(buried.deleted).toISOString(), userName: buried.userName } : null,
      after: auditSnapshot(user),
    });
    await recordUserFlagChange(tx, actor, this.clock, user.id, null, user.mfaRequired ?? null);
    return user;
  }

  /**
   * The deleted user a new user brings back, with the same id so history joins up: the one the
   * caller's plan named (the HR sync's rehire), else the one with the draft's externalId or
   * employee number.
   */
  private findBuried(tx: Tx, actor: Actor, draft: UserDraft, id?: UserId): Promise<UserTombstone | null> {
    return id
      ? tx.users.getTombstone(actor.accountId, id)
      : tx.users.findTombstone(actor.accountId, draft.externalId, draft.employeeNumber);
  }

  /** The role rules after provisionIn, once for a whole chunk of new users. */
  recomputeRoles(tx: Tx, actor: Actor, userIds: readonly UserId[]): Promise<void> {
    return this.roles.recompute(tx, actor, userIds);
  }

  /** Replaces the whole user (SCIM PUT, HR sync). */
  async replace(
    actor: Actor,
    userId: string,
    draft: UserDraft,
    options: WriteOptions = {},
  ): Promise<UserView> {
    return this.modify(actor, userId, () => draft, options);
  }

  /**
   * Changes a user with `change`, a pure function of the current user (a SCIM PATCH), inside
   * the transaction, so that two concurrent changes cannot overwrite each other.
   */
  async modify(
    actor: Actor,
    userId: string,
    change: (current: User) => UserDraft,
    options: WriteOptions = {},
  ): Promise<UserView> {
    return this.uow.write(actor.accountId, async (tx) =>
      this.viewOf(tx, await this.modifyIn(tx, actor, userId, change, options)),
    );
  }

  /** modify inside the caller's transaction (the HR sync and its date sweep). */
  async modifyIn(
    tx: Tx,
    actor: Actor,
    userId: string,
    change: (current: User) => UserDraft,
    options: WriteOptions = {},
  ): Promise<User> {
    const current = await this.load(tx, actor, userId);
    await this.assertMayManage(tx, actor, 'users.edit', current.id);
    assertVersion(current.version, options);
    const draft = change(current);
    assertValidDraft(draft);
    // Only a changed manager is checked: a manager deleted since must not block unrelated changes
    // (Entra disables the reports of a hard-deleted manager with a PATCH that leaves manager alone).
    if (draft.managerId !== current.managerId) await this.assertManager(tx, actor, draft, current.id);
    if (draft.active && !current.active) await assertSeatAvailable(tx, actor.accountId);
    if (current.active && !draft.active) await this.brake.assertMayRemove(tx, actor);
    const saved = await this.save(tx, actor, current, draft, actionFor(current, draft));
    if (current.active !== saved.active) await this.flagOwnerDeparture(tx, actor, saved);
    if (current.active && !saved.active) await endAccess(tx, actor, this.clock, [saved.id], 'deactivated');
    return saved;
  }

  async delete(actor: Actor, userId: string, options: WriteOptions = {}): Promise<void> {
    await this.uow.write(actor.accountId, async (tx) => {
      const user = await this.load(tx, actor, userId);
      // Not the Owner-protection check of assertMayManage: deleting the Owner is refused the same
      // way whoever asks (an IdP, an Admin, an operator), with the way out in the message.
      await this.assertMayManage(tx, actor, 'users.delete', null);
      assertVersion(user.version, options);
      const account = await tx.accounts.get(actor.accountId);
      if (user.active) await this.brake.assertMayRemove(tx, actor);
      if (account?.ownerId === user.id) {
        throw DomainError.precondition(
          'account.owner_undeletable',
          `${user.userName} is the account's Owner and cannot be deleted; transfer ownership first`,
        );
      }
      // Reports keep no reference to a user who no longer exists.
      for (const report of await tx.users.reportsOf(actor.accountId, user.id)) {
        await this.save(tx, actor, report, { ...report, managerId: null }, 'user.updated');
      }
      // Their access to child accounts goes first (audited there); a child's Owner is refused.
      await removeAllChildAccess(tx, actor, this.clock, user);
      await tx.users.delete(actor.accountId, user.id);
      // Its keys went with it (foreign key); its name stays for the audit log and a comeback.
      await tx.users.bury({
        userId: user.id,
        accountId: user.accountId,
        userName: user.userName,
        externalId: user.externalId,
        employeeNumber: user.employeeNumber,
        deleted: this.clock.now(),
      });
      await recordAudit(tx, actor, this.clock, {
        action: 'user.deleted',
        subjectType: 'user',
        subjectId: user.id,
        before: auditSnapshot(user),
        after: null,
      });
    });
  }

  /**
   * roles.md rule 7: the IdP may deactivate the Owner (a departed employee keeps no access), but
   * ownership stays; the account is flagged as needing a transfer until it moves or they return.
   */
  private async flagOwnerDeparture(tx: Tx, actor: Actor, user: User): Promise<void> {
    const account = await tx.accounts.get(actor.accountId);
    if (!account || account.ownerId !== user.id || account.needsOwnershipTransfer === !user.active) return;
    await tx.accounts.update(account.id, { needsOwnershipTransfer: !user.active });
    if (!user.active) {
      await recordAudit(tx, actor, this.clock, {
        action: 'account.owner_deactivated',
        subjectType: 'account',
        subjectId: account.id,
        before: { needsOwnershipTransfer: false },
        after: { needsOwnershipTransfer: true, owner: user.id },
      });
    }
  }

  /**
   * SCIM tokens and HR feeds provision on the IdP's authority; a member needs the permission
   * (roles.md rule 5), and nobody but the Owner changes, deactivates or deletes the Owner (rule 6).
   */
  private async assertMayManage(
    tx: Tx,
    actor: Actor,
    permission: string,
    targetId: UserId | null,
  ): Promise<void> {
    if (actor.kind === 'scim-token') return;
    await this.policy.assertMay(tx, actor, permission);
    if (targetId === null || actor.kind !== 'member' || actor.userId === targetId) return;
    const account = await tx.accounts.get(actor.accountId);
    if (account?.ownerId === targetId) {
      throw DomainError.forbidden(
        'account.owner_protected',
        'Only the Owner can change, deactivate or delete the Owner',
      );
    }
  }

  private async load(tx: Tx, actor: Actor, userId: string): Promise<User> {
    const user = isUuid(userId) ? await tx.users.get(actor.accountId, userId as UserId) : null;
    if (!user) throw notFound(userId);
    return user;
  }

  private async viewOf(tx: Tx, user: User): Promise<UserView> {
    const view = (await tx.users.getView(user.accountId, user.id)) ?? { user, groups: [] };
    const [withMfa] = await withMfaState(tx, user.accountId, [view]);
    return withMfa;
  }

  private async save(
    tx: Tx,
    actor: Actor,
    current: User,
    draft: UserDraft,
    action: 'user.restored' | 'user.updated' | 'user.deactivated' | 'user.reactivated',
  ): Promise<User> {
    const next: User = {
      ...draft,
      // A channel that does not speak of the MFA flag leaves it as it is.
      mfaRequired: draft.mfaRequired === undefined ? (current.mfaRequired ?? null) : draft.mfaRequired,
      id: current.id,
      accountId: current.accountId,
      version: current.version + 1,
      created: current.created,
      lastModified: Math.max(this.clock.now(), current.lastModified),
    };
    if (!(await tx.users.update(next))) {
      throw DomainError.precondition(
        'user.version_mismatch',
        `User ${current.id} was changed meanwhile; retry`,
      );
    }
    await recordAudit(tx, actor, this.clock, {
      action,
      subjectType: 'user',
      subjectId: current.id,
      before: auditSnapshot(current),
      after: auditSnapshot(next),
    });
    await recordUserFlagChange(
      tx,
      actor,
      this.clock,
      current.id,
      current.mfaRequired ?? null,
      next.mfaRequired ?? null,
    );
    // Every channel's change to a user passes here, so their copies in child accounts never lag.
    await refreshManagedUsers(tx, actor, this.clock, current, next);
    return next;
  }

  private async assertManager(tx: Tx, actor: Actor, draft: UserDraft, selfId: UserId | null): Promise<void> {
    if (draft.managerId === null) return;
    if (draft.managerId === selfId) {
      throw DomainError.invalid('user.manager_self', 'A user cannot be their own manager');
    }
    const found = isUuid(draft.managerId)
      ? await tx.users.existing(actor.accountId, [draft.managerId])
      : new Set();
    if (!found.has(draft.managerId)) {
      throw DomainError.invalid(
        'user.manager_unknown',
        `manager ${draft.managerId} is not a user of this account`,
      );
    }
  }
}

function notFound(userId: string): DomainError {
  return DomainError.notFound('user.not_found', `User ${userId} not found`);
}

function actionFor(
  current: User,
  draft: UserDraft,
): 'user.updated' | 'user.deactivated' | 'user.reactivated' {
  if (current.active && !draft.active) return 'user.deactivated';
  if (!current.active && draft.active) return 'user.reactivated';
  return 'user.updated';
}

export function assertVersion(actual: number, options: WriteOptions): void {
  const expected = options.expectedVersion;
  if (expected === undefined) return;
  // If-Match may list several versions (RFC 9110 §13.1.1): any one of them will do.
  const versions = typeof expected === 'number' ? [expected] : expected;
  if (!versions.includes(actual)) {
    throw DomainError.precondition(
      'resource.version_mismatch',
      `The resource is at version ${actual}, not ${versions.join(' or ')} (If-Match); fetch it again`,
    );
  }
}
