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
  /** Deactivations and deletions over SCIM within the window. */
  recent: number;
  limit: number;
  held: boolean;
  approvedUntil: number | null;
}

const windowMs = 60 * 60_000;
const leavingActions = ['user.deactivated', 'user.deleted'] as const;

/**
 * The brake against mass deprovisioning (issue 6): a misconfigured IdP assignment can deactivate a
 * whole company in minutes. Once SCIM has deactivated or deleted more than a share of the account's
 * users within an hour, further ones are held (SCIM 503, the IdP retries) until an Owner or Admin
 * approves, for an hour. Counted from the audit log, inside the write's transaction and lock.
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
    if (actor.kind !== 'scim-token' || this.settings.share >= 1) return;
    const status = await this.statusIn(tx, actor.accountId);
    if (!status.held) return;
    throw DomainError.held(
      'scim.mass_deprovisioning_held',
      `Held: ${status.recent} users were deactivated or deleted over SCIM in the last hour, more than ` +
        `this account allows (${status.limit}). An Owner or Admin must approve further ones in Roster ` +
        '(POST /api/v1/deprovisioning/approve); retry after that.',
    );
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
    const recent = await tx.audit.count(accountId, leavingActions, 'scim', now - windowMs);
    // The users there were an hour ago: those active now plus those who left since.
    const base = (await tx.users.countActive(accountId)) + recent;
    const limit = Math.max(this.settings.minimum, Math.floor(base * this.settings.share));
    const approvedUntil = account?.massDeprovisioningApprovedUntil ?? null;
    const approved = approvedUntil !== null && approvedUntil > now;
    return {
      windowMinutes: windowMs / 60_000,
      recent,
      limit,
      held: !approved && recent >= limit,
      approvedUntil: approved ? approvedUntil : null,
    };
  }
}
