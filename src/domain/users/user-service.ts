import { assertSeatAvailable } from '../accounts/seats';
import { endAccess } from '../access/end-access';
import { endUsersHandOffs } from '../oidc/hand-off-sessions';
import type { DeprovisioningBrake } from './deprovisioning-brake';
import type { RuleBook } from '../access/rule-book';
import type { RoleRecomputer } from '../access/role-recompute';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import { isUuid, type AccountId, type UserId } from '../ids';
import { settlePendingInvitation } from '../invitations/invitation-settlement';
import type { Account, Clock, IdGenerator, Tx, UnitOfWork, UserTombstone } from '../ports';
import type { ListQuery, Page, UserCollection, UserField } from '../query';
import { withMfaState } from '../mfa/mfa-state';
import { ManagedUsers } from './managed-users';
import { assertValidDraft, auditSnapshot, type User, type UserDraft, type UserView } from './user';
import { UserRecords } from './user-records';

export interface WriteOptions {
  /** The version the caller last saw (If-Match); the write is refused when it moved on. */
  expectedVersion?: number | readonly number[];
}

export interface ProvisionResult {
  view: UserView;
  /** True when an inactive user with the same externalId came back (Okta re-POST). */
  restored: boolean;
}

/**
 * Owns every rule about a user's record: provisioning, changes, deactivation, deletion. Every
 * channel writes users through it (SCIM, the admin API, the CLI, HR sync, sweeps, invitations, the
 * MFA flag, account creation, child accounts), so the rules and the audit events are the same.
 */
export class UserService {
  private readonly records: UserRecords;
  private readonly managed: ManagedUsers;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly roles: RoleRecomputer,
    private readonly rules: RuleBook,
    private readonly brake: DeprovisioningBrake,
  ) {
    this.records = new UserRecords(clock);
    this.managed = new ManagedUsers(clock, this.records);
  }

  async get(actor: Actor, userId: string): Promise<UserView> {
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'users.view');
      // One statement for the user and their groups: this is the hottest read of all.
      const view = isUuid(userId) ? await tx.users.getView(actor.accountId, userId as UserId) : null;
      if (!view) throw notFound(userId);
      const [withMfa] = await withMfaState(tx, actor.accountId, [view]);
      return withMfa;
    });
  }

  async list(actor: Actor, query: ListQuery<UserField, UserCollection>): Promise<Page<UserView>> {
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'users.view');
      return tx.users.listViews(actor.accountId, query);
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
        if (draft.active) await assertSeatAvailable(tx, actor.accountId, previous.id);
        await this.rules.assert(tx, actor, 'users.invite');
        await this.assertManager(tx, actor, draft, null);
        const restored = await this.records.save(tx, actor, previous, draft, 'user.restored');
        // A returning Owner needs no ownership transfer any more, as after a PATCH active=true.
        await this.flagOwnerDeparture(tx, actor, restored);
        await this.settleInvitation(tx, actor, previous, restored);
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
    await this.rules.assert(tx, actor, 'users.invite');
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
    // Whichever channel brings them back, the event says who they were.
    const before = buried
      ? { deleted: new Date(buried.deleted).toISOString(), userName: buried.userName }
      : null;
    return this.records.insert(tx, actor, user, before);
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
  async recomputeRoles(tx: Tx, actor: Actor, userIds: readonly UserId[]): Promise<void> {
    await this.roles.recompute(tx, actor, userIds);
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
    return this.brake.recordingHolds(actor, () =>
      this.uow.write(actor.accountId, async (tx) =>
        this.viewOf(tx, await this.modifyIn(tx, actor, userId, change, options)),
      ),
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
    await this.rules.assert(tx, actor, 'users.edit', await this.rules.userTarget(tx, current));
    assertVersion(current.version, options);
    const draft = change(current);
    assertValidDraft(draft);
    // Only a changed manager is checked: a manager deleted since must not block unrelated changes
    // (Entra disables the reports of a hard-deleted manager with a PATCH that leaves manager alone).
    if (draft.managerId !== current.managerId) await this.assertManager(tx, actor, draft, current.id);
    if (draft.active && !current.active) await assertSeatAvailable(tx, actor.accountId, current.id);
    if (current.active && !draft.active) await this.brake.assertMayRemove(tx, actor);
    const saved = await this.records.save(tx, actor, current, draft, actionFor(current, draft));
    if (current.active !== saved.active) await this.flagOwnerDeparture(tx, actor, saved);
    if (current.active && !saved.active) await endAccess(tx, actor, this.clock, [saved.id], 'deactivated');
    await this.settleInvitation(tx, actor, current, saved);
    return saved;
  }

  async delete(actor: Actor, userId: string, options: WriteOptions = {}): Promise<void> {
    await this.brake.recordingHolds(actor, () => this.deleteOnce(actor, userId, options));
  }

  private async deleteOnce(actor: Actor, userId: string, options: WriteOptions): Promise<void> {
    await this.uow.write(actor.accountId, async (tx) => {
      const user = await this.load(tx, actor, userId);
      await this.rules.assert(tx, actor, 'users.delete');
      const account = await tx.accounts.get(actor.accountId);
      assertVersion(user.version, options);
      if (user.active) await this.brake.assertMayRemove(tx, actor);
      // Not who may: the Owner cannot be deleted by anyone, themself included (roles.md rule 2),
      // with the way out in the message.
      if (account?.ownerId === user.id) {
        throw DomainError.precondition(
          'account.owner_undeletable',
          `${user.userName} is the account's Owner and cannot be deleted; transfer ownership first`,
        );
      }
      await settlePendingInvitation(tx, actor, this.clock, user.id, { status: 'revoked', reason: 'deleted' });
      // Their access to child accounts goes first (audited there); a child's Owner is refused.
      await this.managed.removeAll(tx, actor, user);
      // Products signed in as them are told (their sessions in Roster go with the row).
      await endUsersHandOffs(tx, actor, this.clock, [user.id], 'deleted');
      // Reports keep no reference to them; their name stays for the audit log and a comeback.
      await this.records.erase(tx, actor, user);
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
   * The invitee accepts their invitation: their user becomes active, inside InvitationService's
   * transaction. No permission is asked (they hold none before they are active; the invitation's
   * secret, checked there, is the credential) and no seat (their pending invitation holds one).
   */
  async activateInvited(tx: Tx, invitee: Actor, userId: UserId): Promise<User> {
    const current = await this.load(tx, invitee, userId);
    if (current.active) return current;
    const draft = { ...current, active: true, profile: { ...current.profile, active: true } };
    return this.records.save(tx, invitee, current, draft, 'user.reactivated');
  }

  /**
   * Sets (null: clears) the user's own MFA flag for MfaPolicyService, which asked the rule book for
   * `member.mfa.set` (an SSO setting, not `users.edit`). Written as the IdP's SCIM write of the flag
   * is: a new version, `user.updated` and `user.mfa_required_changed`; nothing when unchanged.
   */
  async setMfaRequired(tx: Tx, actor: Actor, user: User, required: boolean | null): Promise<User> {
    if ((user.mfaRequired ?? null) === required) return user;
    return this.records.save(tx, actor, user, { ...user, mfaRequired: required }, 'user.updated');
  }

  /**
   * The user that stands for `home` in `child`, for ChildAccountService (a new child's Owner, or
   * access given). It asked the rule book in the parent (`children.create`,
   * `member.child_access.set`); the actor is of the parent, so the child's `users.invite` does not
   * apply to it.
   */
  provisionManagedIn(tx: Tx, actor: Actor, home: User, childId: AccountId, id: UserId): Promise<User> {
    return this.managed.provision(tx, actor, home, childId, id);
  }

  /** Takes `home`'s access to `child` away: as provisionManagedIn, authorized in the parent. */
  removeManagedIn(tx: Tx, actor: Actor, home: User, child: Account, managedUserId: UserId): Promise<void> {
    return this.managed.remove(tx, actor, home, child, managedUserId);
  }

  /**
   * A pending invitation is settled by the IdP's or HR's write first: activated, the user holds
   * their own seat; left inactive, an old link must not overrule them. A write that keeps an active
   * user active changes neither.
   */
  private async settleInvitation(tx: Tx, actor: Actor, before: User, after: User): Promise<void> {
    if (before.active && after.active) return;
    await settlePendingInvitation(
      tx,
      actor,
      this.clock,
      after.id,
      after.active ? { status: 'provisioned' } : { status: 'revoked', reason: 'deactivated' },
    );
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
