import type { RuleBook } from '../access/rule-book';
import type { RoleRecomputer } from '../access/role-recompute';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import { assertText, textLimits } from '../text';
import type { AccountId } from '../ids';
import type { Account, Clock, IdGenerator, UnitOfWork } from '../ports';
import { auditSnapshot, type User } from '../users/user';
import type { UserService } from '../users/user-service';
import { seatUse, type SeatUse } from './seats';

export interface NewAccount {
  name: string;
  ownerEmail: string;
}

/** Owns accounts and the one-Owner rule (roles.md rules 1-3). */
export class AccountService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly roles: RoleRecomputer,
    private readonly rules: RuleBook,
    private readonly users: UserService,
  ) {}

  /** Creates the account together with its Owner: an account never exists without one. */
  async create(operator: string, input: NewAccount): Promise<{ account: Account; owner: User }> {
    const name = input.name.trim();
    if (!name) throw DomainError.invalid('account.name_required', 'An account needs a name');
    assertText('account', 'name', name, textLimits.label);
    const email = input.ownerEmail.trim();
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
      throw DomainError.invalid(
        'account.owner_email_invalid',
        `"${input.ownerEmail}" is not an email address`,
      );
    }
    const accountId = this.ids.newId() as AccountId;
    const actor: Actor = { kind: 'operator', accountId, operator, channel: 'cli' };
    return this.uow.write(null, async (tx) => {
      const now = this.clock.now();
      await tx.accounts.insert({ id: accountId, name, status: 'active', created: now });
      // Provisioned by the operator like any user, by the same rules and with the same audit event.
      const emails = [{ value: email, type: 'work', primary: true }];
      const owner = await this.users.provisionIn(tx, actor, {
        userName: email,
        externalId: null,
        active: true,
        displayName: null,
        givenName: null,
        familyName: null,
        employeeNumber: null,
        managerId: null,
        emails,
        profile: { userName: email, emails, active: true },
      });
      await tx.accounts.setOwner(accountId, owner.id);
      await recordAudit(tx, actor, this.clock, {
        action: 'account.created',
        subjectType: 'account',
        subjectId: accountId,
        before: null,
        after: { name, owner: auditSnapshot(owner) },
      });
      await this.roles.recompute(tx, actor, [owner.id]);
      return {
        account: {
          id: accountId,
          name,
          status: 'active',
          ownerId: owner.id,
          defaultRoleKey: null,
          needsOwnershipTransfer: false,
          seatLimit: null,
          massDeprovisioningApprovedUntil: null,
          created: now,
        },
        owner,
      };
    });
  }

  /** The actor's own account, for anyone of it who may see its members. */
  async describe(actor: Actor): Promise<Account> {
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'users.view');
      const account = await tx.accounts.get(actor.accountId);
      if (!account) throw DomainError.notFound('account.not_found', `Account ${actor.accountId} not found`);
      return account;
    });
  }

  /** The plan is the vendor's: only an operator sets the seat limit (null: unlimited). */
  async setSeatLimit(actor: Actor, limit: number | null): Promise<SeatUse> {
    if (limit !== null && (!Number.isInteger(limit) || limit < 1)) {
      throw DomainError.invalid('account.seat_limit_invalid', 'A seat limit is a whole number of at least 1');
    }
    return this.uow.write(actor.accountId, async (tx) => {
      const account = await tx.accounts.get(actor.accountId);
      if (!account) throw DomainError.notFound('account.not_found', `Account ${actor.accountId} not found`);
      await this.rules.assert(tx, actor, 'account.seats.set');
      await tx.accounts.update(account.id, { seatLimit: limit });
      await recordAudit(tx, actor, this.clock, {
        action: 'account.seat_limit_changed',
        subjectType: 'account',
        subjectId: account.id,
        before: { seatLimit: account.seatLimit },
        after: { seatLimit: limit },
      });
      // A lower limit than the seats in use is allowed: nobody loses access, no one new gets in.
      return seatUse(tx, account.id);
    });
  }

  /** Seats in use and the limit, for anyone who may see the members. */
  async seats(actor: Actor): Promise<SeatUse> {
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'users.view');
      return seatUse(tx, actor.accountId);
    });
  }

  /**
   * Every account, child accounts included: the operator's overview (the CLI). No account's member
   * can ask: it spans accounts, so it takes no actor of one.
   */
  async listAll(): Promise<Account[]> {
    return this.uow.read((tx) => tx.accounts.list());
  }

  async get(accountId: AccountId): Promise<Account> {
    const account = await this.uow.read((tx) => tx.accounts.get(accountId));
    if (!account) throw DomainError.notFound('account.not_found', `Account ${accountId} not found`);
    return account;
  }
}
