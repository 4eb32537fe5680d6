import type { Catalogue } from '../access/catalogue';
import type { RoleRecomputer } from '../access/role-recompute';
import { isNoOverride, noOverrides } from '../access/permissions';
import type { RuleBook } from '../access/rule-book';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import { isUuid, type UserId } from '../ids';
import type { Account, Clock, Tx, UnitOfWork } from '../ports';

/**
 * The one-Owner rules (roles.md rules 1-3, 7): ownership moves only by transfer, started by the
 * current Owner, to an active user of the account; the prior Owner becomes the next role down
 * (Admin in the default catalogue). An operator can force it when the Owner is gone (break-glass).
 * The database backs it: one owner row per account, moved by compare-and-set.
 */
export class OwnershipService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly catalogue: Catalogue,
    private readonly roles: RoleRecomputer,
    private readonly rules: RuleBook,
  ) {}

  async transfer(actor: Actor, toUserId: string): Promise<Account> {
    return this.uow.write(actor.accountId, async (tx) => {
      const account = await this.account(tx, actor);
      await this.rules.assert(tx, actor, 'ownership.transfer');
      return this.move(tx, actor, account, toUserId, null);
    });
  }

  /** Break-glass: an operator moves ownership when the Owner is gone. Always audited with a reason. */
  async forceTransfer(actor: Actor, toUserId: string, reason: string): Promise<Account> {
    if (!reason.trim()) {
      throw DomainError.invalid('account.force_transfer_reason_required', 'A forced transfer needs a reason');
    }
    return this.uow.write(actor.accountId, async (tx) => {
      const account = await this.account(tx, actor);
      await this.rules.assert(tx, actor, 'ownership.force_transfer');
      return this.move(tx, actor, account, toUserId, reason);
    });
  }

  private async move(tx: Tx, actor: Actor, account: Account, toUserId: string, reason: string | null) {
    const to = isUuid(toUserId) ? await tx.users.get(account.id, toUserId as UserId) : null;
    if (!to) throw DomainError.notFound('user.not_found', `User ${toUserId} not found`);
    if (to.id === account.ownerId) {
      throw DomainError.invalid('account.already_owner', `${to.userName} is already the Owner`);
    }
    if (!to.active) {
      throw DomainError.precondition(
        'account.new_owner_inactive',
        `${to.userName} is deactivated and cannot become Owner`,
      );
    }
    if (!(await tx.accounts.transferOwner(account.id, account.ownerId, to.id))) {
      throw DomainError.precondition(
        'account.owner_changed',
        'Ownership changed meanwhile; reload and retry',
      );
    }
    await tx.accounts.update(account.id, { needsOwnershipTransfer: false });
    // The prior Owner keeps the next role down by hand (Admin in the default catalogue).
    const priorOwnerRole = this.catalogue.roles.find((r) => !r.owner)?.key ?? null;
    const prior = (await tx.roles.stored(account.id, [account.ownerId])).get(account.ownerId);
    await tx.roles.save(
      account.id,
      account.ownerId,
      {
        effective: prior?.effective ?? { roleKey: null, source: null, groupId: null, groupName: null },
        manualRoleKey: priorOwnerRole,
      },
      this.clock.now(),
    );
    await recordAudit(tx, actor, this.clock, {
      action: 'account.ownership_transferred',
      subjectType: 'account',
      subjectId: account.id,
      before: { owner: account.ownerId },
      after: { owner: to.id, ...(reason ? { reason, forced: true } : {}) },
    });
    await this.clearOverrides(tx, actor, to.id);
    await this.roles.recompute(tx, actor, [account.ownerId, to.id]);
    return { ...account, ownerId: to.id, needsOwnershipTransfer: false };
  }

  /** The Owner holds every permission: per-user overrides from before the transfer go, audited. */
  private async clearOverrides(tx: Tx, actor: Actor, userId: UserId): Promise<void> {
    const overrides =
      (await tx.roles.stored(actor.accountId, [userId])).get(userId)?.overrides ?? noOverrides;
    if (isNoOverride(overrides)) return;
    await tx.roles.saveOverrides(actor.accountId, userId, noOverrides, this.clock.now());
    await recordAudit(tx, actor, this.clock, {
      action: 'user.permissions_changed',
      subjectType: 'user',
      subjectId: userId,
      before: overrides,
      after: { ...noOverrides, reason: 'became_owner' },
    });
  }

  /** Closing is the Owner's alone (roles.md); the account's tokens stop working at once. */
  async close(actor: Actor): Promise<void> {
    await this.uow.write(actor.accountId, async (tx) => {
      const account = await this.account(tx, actor);
      await this.rules.assert(tx, actor, 'account.close');
      // A child account belongs to the parent's customer: it closes with it, each audited.
      const children = (await tx.children.childrenOf(account.id)).filter((c) => c.status === 'active');
      for (const closing of [account, ...children]) {
        if (closing.id !== account.id) await tx.children.lockChild(closing.id);
        await tx.accounts.update(closing.id, { status: 'closed' });
        await recordAudit(tx, { ...actor, accountId: closing.id }, this.clock, {
          action: 'account.closed',
          subjectType: 'account',
          subjectId: closing.id,
          before: { status: closing.status },
          after:
            closing.id === account.id ? { status: 'closed' } : { status: 'closed', parentClosed: account.id },
        });
      }
    });
  }

  private async account(tx: Tx, actor: Actor): Promise<Account> {
    const account = await tx.accounts.get(actor.accountId);
    if (!account || account.status !== 'active') {
      throw DomainError.notFound('account.not_found', `Account ${actor.accountId} not found`);
    }
    return account;
  }
}
