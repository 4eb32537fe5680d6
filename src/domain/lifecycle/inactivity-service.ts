import type { RuleBook } from '../access/rule-book';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import type { AccountId } from '../ids';
import type { Clock, UnitOfWork } from '../ports';
import type { UserService } from '../users/user-service';
import type { InactiveUser, InactivitySettings } from './inactivity-ports';

const dayMs = 24 * 60 * 60_000;
/** shared/seeds/004: "Review users with no login for 90 days"; flagged, not deactivated, unless chosen. */
export const defaultInactivity: InactivitySettings = { days: 90, action: 'flag' };
const page = 200;

export interface SweepOutcome {
  flagged: number;
  deactivated: number;
}

/**
 * The inactivity sweep: users with no SSO login for N days (per account) are flagged for review
 * or deactivated, as the account chooses. The Owner is never deactivated by it, only flagged.
 * Deactivation goes through UserService, so it ends access and is audited like any other.
 */
export class InactivityService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly users: UserService,
    private readonly rules: RuleBook,
  ) {}

  async settings(actor: Actor): Promise<InactivitySettings & { flagged: InactiveUser[] }> {
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'users.view');
      const settings = (await tx.inactivity.settings(actor.accountId)) ?? defaultInactivity;
      return { ...settings, flagged: await tx.inactivity.flagged(actor.accountId) };
    });
  }

  async configure(actor: Actor, settings: InactivitySettings): Promise<InactivitySettings> {
    if (!Number.isInteger(settings.days) || settings.days < 7 || settings.days > 3650) {
      throw DomainError.invalid(
        'inactivity.days_invalid',
        'Inactivity is counted in whole days, from 7 to 3650',
      );
    }
    return this.uow.write(actor.accountId, async (tx) => {
      await this.rules.assert(tx, actor, 'account.edit_details');
      const before = (await tx.inactivity.settings(actor.accountId)) ?? defaultInactivity;
      await tx.inactivity.saveSettings(actor.accountId, settings, this.clock.now());
      await recordAudit(tx, actor, this.clock, {
        action: 'account.inactivity_configured',
        subjectType: 'account',
        subjectId: actor.accountId,
        before,
        after: settings,
      });
      return settings;
    });
  }

  /** One pass over every active account; safe to repeat and to stop anywhere. */
  async sweep(now: number): Promise<SweepOutcome> {
    const outcome: SweepOutcome = { flagged: 0, deactivated: 0 };
    const accounts = await this.uow.read((tx) => tx.inactivity.activeAccounts());
    for (const accountId of accounts) {
      const one = await this.sweepAccount(accountId, now);
      outcome.flagged += one.flagged;
      outcome.deactivated += one.deactivated;
    }
    return outcome;
  }

  private async sweepAccount(accountId: AccountId, now: number): Promise<SweepOutcome> {
    const actor: Actor = { kind: 'system', accountId, job: 'inactivity', channel: 'job' };
    const { settings, ownerId } = await this.uow.read(async (tx) => ({
      settings: (await tx.inactivity.settings(accountId)) ?? defaultInactivity,
      ownerId: (await tx.accounts.get(accountId))?.ownerId,
    }));
    await this.uow.write(accountId, (tx) => tx.inactivity.clearResolved(accountId));
    const outcome: SweepOutcome = { flagged: 0, deactivated: 0 };
    const cutoff = now - settings.days * dayMs;
    let after = '';
    for (;;) {
      const batch = await this.uow.read((tx) => tx.inactivity.inactiveSince(accountId, cutoff, after, page));
      for (const user of batch) {
        if (settings.action === 'deactivate' && user.userId !== ownerId) {
          if (await this.deactivate(actor, user)) outcome.deactivated += 1;
        } else if (user.flagged === null) {
          await this.flag(actor, user, now, settings.days);
          outcome.flagged += 1;
        }
      }
      if (batch.length < page) return outcome;
      after = batch[batch.length - 1].userId;
    }
  }

  /** A user changed meanwhile (or gone) is left for the next run rather than stopping the sweep. */
  private async deactivate(actor: Actor, user: InactiveUser): Promise<boolean> {
    try {
      await this.users.modify(actor, user.userId, (current) => ({ ...current, active: false }));
      return true;
    } catch (err) {
      if (err instanceof DomainError && (err.kind === 'precondition' || err.kind === 'not_found'))
        return false;
      throw err;
    }
  }

  private async flag(actor: Actor, user: InactiveUser, now: number, days: number): Promise<void> {
    await this.uow.write(actor.accountId, async (tx) => {
      await tx.inactivity.flag(actor.accountId, user.userId, now, user.lastActivity);
      await recordAudit(tx, actor, this.clock, {
        action: 'user.flagged_inactive',
        subjectType: 'user',
        subjectId: user.userId,
        before: null,
        after: {
          days,
          lastLogin: user.lastLogin === null ? null : new Date(user.lastLogin).toISOString(),
        },
      });
    });
  }
}
