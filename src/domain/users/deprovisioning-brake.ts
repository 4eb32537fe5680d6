import type { RuleBook } from '../access/rule-book';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import type { AccountId } from '../ids';
import type { Clock, Tx, UnitOfWork } from '../ports';

export interface BrakeSettings {
  /** The share of the account's users that may leave over SCIM within the window. */
  share: number;
  /** Never hold fewer than this many within the window (small accounts). */
  minimum: number;
}

export interface BrakeStatus {
  windowMinutes: number;
  /** Users who lost access within the window: deactivated or deleted over SCIM, or left without a role by groups. */
  recent: number;
  /** Of those, users whose groups left them without a role (SCIM group changes, mapping removals). */
  lostRoleThroughGroups: number;
  limit: number;
  held: boolean;
  approvedUntil: number | null;
}

const windowMs = 60 * 60_000;
const leavingActions = ['user.deactivated', 'user.deleted'] as const;

/**
 * The brake against mass deprovisioning: a misconfigured IdP assignment can deactivate a
 * whole company in minutes, or take its access away through groups (a mapped group deleted, its
 * members replaced, renamed away from its mapping). Once more than a share of the account's users
 * lost access within an hour, further SCIM removals are held (SCIM 503, the IdP retries) until an
 * Owner or Admin approves, for an hour. Counted from the audit log, inside the write's transaction
 * and lock. A mapping an admin removes counts too, but is not held: the admin approves by acting.
 */
export class DeprovisioningBrake {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly rules: RuleBook,
    private readonly settings: BrakeSettings,
  ) {}

  /** Called by every SCIM deactivation and deletion before it writes. */
  async assertMayRemove(tx: Tx, actor: Actor): Promise<void> {
    const status = await this.statusFor(tx, actor);
    if (!status?.held) return;
    throw held(
      `Held: ${status.recent} users were deactivated or deleted over SCIM in the last hour, or left ` +
        `without a role by their groups, more than this account allows (${status.limit}).`,
    );
  }

  /**
   * Called by a SCIM group change after it recomputed roles, with how many users it left without
   * a role: their `user.role_changed` events are already counted, and the transaction rolls back
   * when it is held, so nothing of the change is written.
   */
  async assertMayRemoveThroughGroups(tx: Tx, actor: Actor, lost: number): Promise<void> {
    if (lost === 0) return;
    const status = await this.statusFor(tx, actor);
    if (!status || status.approvedUntil !== null || status.recent <= status.limit) return;
    throw held(
      `Held: this change would leave ${lost} user${lost === 1 ? '' : 's'} without a role; with the ${status.recent - lost} ` +
        `who lost access in the last hour that is more than this account allows (${status.limit}).`,
    );
  }

  /**
   * Runs a SCIM removal; when the brake holds it, records that the brake is held, once per hold,
   * in a transaction of its own after the refused one rolled back (the feed's
   * `deprovisioning.brake_held`: the IdP keeps retrying, but the event is not repeated).
   */
  async recordingHolds<T>(actor: Actor, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof DomainError && err.code === heldCode) await this.noteHeld(actor);
      throw err;
    }
  }

  private async noteHeld(actor: Actor): Promise<void> {
    await this.uow.write(actor.accountId, async (tx) => {
      const status = await this.statusIn(tx, actor.accountId);
      const now = this.clock.now();
      const account = await tx.accounts.get(actor.accountId);
      // A hold is new once the window has passed since the last one, or since the last approval.
      const approvedAt = (account?.massDeprovisioningApprovedUntil ?? 0) - windowMs;
      const since = Math.max(now - windowMs, approvedAt + 1);
      if ((await tx.audit.count(actor.accountId, ['deprovisioning.brake_held'], actor.channel, since)) > 0)
        return;
      await recordAudit(tx, actor, this.clock, {
        action: 'deprovisioning.brake_held',
        subjectType: 'account',
        subjectId: actor.accountId,
        before: null,
        after: { recent: status.recent, limit: status.limit, windowMinutes: status.windowMinutes },
      });
    });
  }

  /** The brake's status when it applies to `actor`'s writes (SCIM, with a share below 100%). */
  private async statusFor(tx: Tx, actor: Actor): Promise<BrakeStatus | null> {
    if (actor.kind !== 'scim-token' || this.settings.share >= 1) return null;
    return this.statusIn(tx, actor.accountId);
  }

  async status(actor: Actor): Promise<BrakeStatus> {
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'users.view');
      return this.statusIn(tx, actor.accountId);
    });
  }

  /** Lifts the brake for an hour; audited. */
  async approve(actor: Actor): Promise<BrakeStatus> {
    return this.uow.write(actor.accountId, async (tx) => {
      await this.rules.assert(tx, actor, 'deprovisioning.approve');
      const until = this.clock.now() + windowMs;
      await tx.accounts.update(actor.accountId, { massDeprovisioningApprovedUntil: until });
      const status = await this.statusIn(tx, actor.accountId);
      await recordAudit(tx, actor, this.clock, {
        action: 'account.mass_deprovisioning_approved',
        subjectType: 'account',
        subjectId: actor.accountId,
        before: { recent: status.recent, limit: status.limit },
        after: { approvedUntil: new Date(until).toISOString() },
      });
      return status;
    });
  }

  private async statusIn(tx: Tx, accountId: AccountId): Promise<BrakeStatus> {
    const now = this.clock.now();
    const account = await tx.accounts.get(accountId);
    const left = await tx.audit.count(accountId, leavingActions, 'scim', now - windowMs);
    // Any channel: a mapping an admin removed takes access away as surely as the IdP's group change.
    const lostRoleThroughGroups = await tx.audit.countRolesLostThroughGroups(accountId, now - windowMs);
    const recent = left + lostRoleThroughGroups;
    // The users there were an hour ago: those active now plus those who left since (those who
    // lost their role are still active users).
    const base = (await tx.users.countActive(accountId)) + left;
    const limit = Math.max(this.settings.minimum, Math.floor(base * this.settings.share));
    const approvedUntil = account?.massDeprovisioningApprovedUntil ?? null;
    const approved = approvedUntil !== null && approvedUntil > now;
    return {
      windowMinutes: windowMs / 60_000,
      recent,
      lostRoleThroughGroups,
      limit,
      held: !approved && recent >= limit,
      approvedUntil: approved ? approvedUntil : null,
    };
  }
}

const heldCode = 'scim.mass_deprovisioning_held';

function held(why: string): DomainError {
  return DomainError.held(
    heldCode,
    `${why} An Owner or Admin must approve further ones in Roster ` +
      '(POST /api/v1/deprovisioning/approve); retry after that.',
  );
}
