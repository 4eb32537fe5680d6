import type { Actor } from '../actor';
import { copiedFromHome, inChild, sameCopy } from '../accounts/child-access';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import type { Clock, Tx } from '../ports';
import { recordUserFlagChange } from '../mfa/mfa-state';
import { assertValidDraft, auditSnapshot, type User, type UserDraft } from './user';

export type SaveAction = 'user.restored' | 'user.updated' | 'user.deactivated' | 'user.reactivated';

/** What a user's audit snapshot adds, e.g. the home user a managed user stands for. */
export type AuditNote = Record<string, unknown>;

/**
 * Writes user rows for UserService, each with what must go with it whoever asked: validation, the
 * version, the audit event, the MFA flag's own event and the refresh of the user's managed copies
 * in child accounts. Whether a write may happen is decided before, in UserService.
 */
export class UserRecords {
  constructor(private readonly clock: Clock) {}

  /** A new user, `user.provisioned`; `before` names whom a reused id belonged to. */
  async insert(
    tx: Tx,
    actor: Actor,
    user: User,
    before: unknown = null,
    note: AuditNote = {},
  ): Promise<User> {
    assertValidDraft(user);
    await tx.users.insert(user);
    await recordAudit(tx, actor, this.clock, {
      action: 'user.provisioned',
      subjectType: 'user',
      subjectId: user.id,
      before,
      after: { ...auditSnapshot(user), ...note },
    });
    await recordUserFlagChange(tx, actor, this.clock, user.id, null, user.mfaRequired ?? null);
    return user;
  }

  /** `current` becomes `draft`, one version on, if nobody wrote it meanwhile. */
  async save(
    tx: Tx,
    actor: Actor,
    current: User,
    draft: UserDraft,
    action: SaveAction,
    note: AuditNote = {},
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
      after: { ...auditSnapshot(next), ...note },
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
    await this.refreshManagedCopies(tx, actor, current, next);
    return next;
  }

  /** Deletes the user's row: nobody reports to them any more, and a tombstone keeps their name. */
  async erase(tx: Tx, actor: Actor, user: User): Promise<void> {
    for (const report of await tx.users.reportsOf(user.accountId, user.id)) {
      await this.save(tx, actor, report, { ...report, managerId: null }, 'user.updated');
    }
    await tx.users.delete(user.accountId, user.id);
    // Its keys and memberships went with it (foreign keys); its name stays for the audit log.
    await tx.users.bury({
      userId: user.id,
      accountId: user.accountId,
      userName: user.userName,
      externalId: user.externalId,
      employeeNumber: user.employeeNumber,
      deleted: this.clock.now(),
    });
  }

  /**
   * After a parent user's name, emails or userName changed: their managed user in each child takes
   * the new values in the same transaction, audited in that child with the home user named.
   */
  private async refreshManagedCopies(tx: Tx, actor: Actor, before: User, home: User): Promise<void> {
    if (sameCopy(before, home)) return;
    for (const access of await tx.children.accessOf(home.id)) {
      await tx.children.lockChild(access.childId);
      const managed = await tx.users.get(access.childId, access.managedUserId);
      if (!managed || sameCopy(managed, home)) continue;
      const copy = copiedFromHome(home);
      const draft = {
        ...managed,
        ...copy,
        profile: { ...managed.profile, userName: copy.userName, emails: copy.emails },
      };
      // A write of the child's own between our snapshot and its lock (MariaDB): the caller retries.
      await this.save(tx, inChild(actor, access.childId), managed, draft, 'user.updated', { home: home.id });
    }
  }
}
