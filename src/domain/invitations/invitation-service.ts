import type { Catalogue, RoleKey } from '../access/catalogue';
import { noRole } from '../access/effective-role';
import type { RuleBook } from '../access/rule-book';
import type { RoleRecomputer } from '../access/role-recompute';
import { assertGrantableRole } from '../access/role-service';
import { assertSeatAvailable } from '../accounts/seats';
import { actorId, type Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import type { AccountId, UserId } from '../ids';
import type { Clock, IdGenerator, Invitation, Tx, UnitOfWork } from '../ports';
import type { SecretCodec } from '../tokens/scim-token-service';
import type { User } from '../users/user';
import type { UserService } from '../users/user-service';

/** shared/seeds/000: "The invitation is valid for 7 days." */
export const invitationValidityMs = 7 * 24 * 60 * 60_000;

export interface NewInvitation {
  email: string;
  role?: RoleKey | null;
  givenName?: string | null;
  familyName?: string | null;
}

export interface SentInvitation {
  invitation: Invitation;
  userName: string;
  /** The secret for the acceptance link the product mails; shown once, stored only as a digest. */
  secret: string;
}

/**
 * Invitations by an Owner or Admin (roles.md: users.invite, users.resend_invite). The invited user
 * exists at once, inactive, with the role they will have; accepting within 7 days activates them.
 * Roster sends no mail: the product's backend mails the secret it gets back. A pending invitation
 * holds a seat.
 */
export class InvitationService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly codec: SecretCodec,
    private readonly catalogue: Catalogue,
    private readonly roles: RoleRecomputer,
    private readonly rules: RuleBook,
    private readonly users: UserService,
  ) {}

  async invite(actor: Actor, input: NewInvitation): Promise<SentInvitation> {
    const email = input.email.trim();
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
      throw DomainError.invalid('invitation.email_invalid', `"${input.email}" is not an email address`);
    }
    const role = input.role ?? null;
    if (role !== null) assertGrantableRole(this.catalogue, role);
    return this.uow.write(actor.accountId, async (tx) => {
      await this.rules.assert(tx, actor, 'users.invite');
      // A role with the invitation is a role given by hand to a new member (never the Owner).
      if (role !== null) await this.rules.assert(tx, actor, 'member.role.set');
      if (await tx.users.findByUserName(actor.accountId, email)) {
        throw DomainError.conflict('invitation.user_exists', `${email} is already a user of this account`);
      }
      await assertSeatAvailable(tx, actor.accountId);
      const user = await this.insertInvitedUser(tx, actor, email, input);
      if (role !== null) {
        await tx.roles.save(
          actor.accountId,
          user.id,
          { effective: noRole, manualRoleKey: role },
          this.clock.now(),
        );
      }
      await this.roles.recompute(tx, actor, [user.id]);
      const secret = this.newSecret();
      const now = this.clock.now();
      const invitation: Invitation = {
        id: this.ids.newId(),
        accountId: actor.accountId,
        userId: user.id,
        invitedBy: actorId(actor),
        status: 'pending',
        created: now,
        sent: now,
        sentCount: 1,
        expires: now + invitationValidityMs,
        accepted: null,
      };
      await tx.invitations.insert(invitation, this.codec.digest(secret));
      await this.audit(tx, actor, 'invitation.sent', invitation, null, {
        userName: email,
        role,
        expires: iso(invitation.expires),
      });
      return { invitation, userName: email, secret };
    });
  }

  /** A new secret valid 7 days from now; the old one stops working. An expired one is revived if a seat is free. */
  async resend(actor: Actor, invitationId: string): Promise<SentInvitation> {
    return this.uow.write(actor.accountId, async (tx) => {
      await this.rules.assert(tx, actor, 'users.resend_invite');
      const current = await tx.invitations.get(actor.accountId, invitationId);
      if (!current) throw notFound(invitationId);
      if (current.status === 'accepted') {
        throw DomainError.conflict(
          'invitation.already_accepted',
          'This invitation was accepted; nothing to resend',
        );
      }
      if (current.status === 'provisioned' || current.status === 'revoked') {
        throw DomainError.conflict(
          'invitation.settled',
          `This user was ${current.status === 'provisioned' ? 'activated' : 'deactivated'} by the identity provider or HR feed after the invitation was sent; their access is managed there now`,
        );
      }
      if (current.status === 'expired') await assertSeatAvailable(tx, actor.accountId);
      const user = await tx.users.get(actor.accountId, current.userId);
      const secret = this.newSecret();
      const now = this.clock.now();
      const expires = now + invitationValidityMs;
      await tx.invitations.resend(current.id, this.codec.digest(secret), actorId(actor), now, expires);
      const invitation: Invitation = {
        ...current,
        status: 'pending',
        invitedBy: actorId(actor),
        sent: now,
        sentCount: current.sentCount + 1,
        expires,
      };
      await this.audit(
        tx,
        actor,
        'invitation.resent',
        invitation,
        { status: current.status, expires: iso(current.expires) },
        { status: 'pending', expires: iso(expires) },
      );
      return { invitation, userName: user?.userName ?? '', secret };
    });
  }

  /** shared/seeds/001: who has set up their account and whose invitation is still pending. */
  async list(actor: Actor): Promise<(Invitation & { userName: string })[]> {
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'users.view');
      const now = this.clock.now();
      // Past its end an invitation is expired, whether or not the sweep has recorded it yet.
      return (await tx.invitations.list(actor.accountId)).map((i) =>
        i.status === 'pending' && i.expires <= now ? { ...i, status: 'expired' as const } : i,
      );
    });
  }

  /** The invited person accepts with the secret from their mail: their user becomes active. */
  async accept(
    secret: string,
    requestId?: string,
  ): Promise<{ accountId: AccountId; userId: UserId; userName: string }> {
    const found = await this.uow.read((tx) => tx.invitations.findByTokenHash(this.codec.digest(secret)));
    if (!found) {
      throw DomainError.notFound(
        'invitation.unknown',
        'This invitation link is not valid; ask for a new invitation',
      );
    }
    return this.uow.write(found.accountId, async (tx) => {
      const invitation = await tx.invitations.get(found.accountId, found.id);
      const now = this.clock.now();
      if (!invitation || invitation.status === 'accepted') {
        throw DomainError.conflict('invitation.already_accepted', 'This invitation was already accepted');
      }
      if (invitation.status === 'provisioned' || invitation.status === 'revoked') {
        throw settled(invitation.status);
      }
      if (invitation.status === 'expired' || invitation.expires <= now) {
        throw DomainError.precondition(
          'invitation.expired',
          `This invitation expired on ${iso(invitation.expires)}; ask the account's Owner or an Admin to resend it`,
        );
      }
      const actor: Actor = {
        kind: 'member',
        accountId: invitation.accountId,
        userId: invitation.userId,
        channel: 'admin-api',
        requestId,
      };
      const user = await tx.users.get(invitation.accountId, invitation.userId);
      if (!user) throw notFound(invitation.id);
      await this.users.activateInvited(tx, actor, user.id);
      await tx.invitations.settle(invitation.id, 'accepted', now);
      await this.audit(
        tx,
        actor,
        'invitation.accepted',
        invitation,
        { status: 'pending' },
        { status: 'accepted', userName: user.userName },
      );
      return { accountId: invitation.accountId, userId: user.id, userName: user.userName };
    });
  }

  /** Pending invitations past their 7 days become expired (the user stays inactive), each audited once. */
  async expireDue(now: number): Promise<number> {
    let expired = 0;
    for (;;) {
      const due = await this.uow.read((tx) => tx.invitations.due(now, 200));
      if (due.length === 0) return expired;
      for (const invitation of due) {
        const actor: Actor = {
          kind: 'system',
          accountId: invitation.accountId,
          job: 'invitation-expiry',
          channel: 'job',
        };
        const done = await this.uow.write(invitation.accountId, async (tx) => {
          if (!(await tx.invitations.settle(invitation.id, 'expired', now))) return false;
          await this.audit(
            tx,
            actor,
            'invitation.expired',
            invitation,
            { status: 'pending' },
            { status: 'expired', expires: iso(invitation.expires) },
          );
          return true;
        });
        if (done) expired += 1;
      }
    }
  }

  /** The invitee's user, inactive until they accept: provisioned like any user. */
  private insertInvitedUser(tx: Tx, actor: Actor, email: string, input: NewInvitation): Promise<User> {
    const emails = [{ value: email, type: 'work', primary: true }];
    return this.users.provisionIn(tx, actor, {
      userName: email,
      externalId: null,
      active: false,
      displayName: null,
      givenName: input.givenName ?? null,
      familyName: input.familyName ?? null,
      employeeNumber: null,
      managerId: null,
      emails,
      profile: { userName: email, emails, active: false },
    });
  }

  private audit(
    tx: Tx,
    actor: Actor,
    action: 'invitation.sent' | 'invitation.resent' | 'invitation.accepted' | 'invitation.expired',
    invitation: Invitation,
    before: unknown,
    after: unknown,
  ): Promise<void> {
    return recordAudit(tx, actor, this.clock, {
      action,
      subjectType: 'invitation',
      subjectId: invitation.id,
      before,
      after,
    });
  }

  private newSecret(): string {
    return `rin_${this.codec.newSecret().replace(/^rst_/, '')}`;
  }
}

/** The IdP, HR or a deletion decided before the invitee did: the link does nothing any more. */
function settled(status: 'provisioned' | 'revoked'): DomainError {
  return status === 'provisioned'
    ? DomainError.conflict(
        'invitation.settled',
        "This invitation is no longer needed: your organisation's identity provider or HR system has already given you access; sign in instead",
      )
    : DomainError.conflict(
        'invitation.revoked',
        "This invitation was withdrawn: your user was deactivated after it was sent; ask the account's Owner or an Admin",
      );
}

function notFound(id: string): DomainError {
  return DomainError.notFound('invitation.not_found', `Invitation ${id} not found`);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
