import type { Catalogue, RoleKey } from '../access/catalogue';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import type { UserId } from '../ids';
import type { Clock, Tx, UnitOfWork } from '../ports';
import type { User } from '../users/user';
import { entryRefusal, type EntryRefusal, type ResponseRefusal } from './sign-in-rules';
import type { RuleBook } from '../access/rule-book';
import type { SignInMethod } from './sso-ports';
import { mfaDecision, type MfaSatisfied } from '../mfa/mfa-login';
import { mfaRequirementFor, type MfaEvidence, type MfaReason } from '../mfa/mfa-policy';
import { policyOf } from '../mfa/mfa-state';

/** What the SAML adapter learned from a response whose signature and conditions it checked. */
export interface VerifiedAssertion {
  /** The NameID: an email or a persistent id, matched to userName or primary email. */
  nameId: string;
  assertionId: string;
  /** After this the assertion is refused anyway, so its id need not be remembered longer. */
  expires: number;
  method: SignInMethod;
  /** What the response said about how the user authenticated (AuthnContextClassRef, amr). */
  mfaEvidence?: MfaEvidence;
}

export type SignInOutcome =
  | { accepted: true; userId: UserId; userName: string; role: RoleKey; roleName: string; mfa: MfaSatisfied }
  | { accepted: false; reason: EntryRefusal; userId: UserId | null; mfaBecause?: MfaReason }
  /** The IdP did not prove MFA: the login waits for Roster's TOTP (TotpStepUpService). */
  | { accepted: false; reason: 'mfa_step_up'; userId: UserId; mfaBecause: MfaReason };

/** AuthnRequest ids are accepted back for this long. */
const requestLifetimeMs = 10 * 60_000;

/**
 * Decides who enters through SAML and records it: each outcome,
 * accepted or refused, is an audit event, and an accepted one sets the user's last login. The
 * actor is Roster's SAML endpoint (kind system, channel saml) for the account of the URL.
 */
export class SignInService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly catalogue: Catalogue,
    private readonly rules: RuleBook,
    /** The server has MFA_TOTP_KEY; without it a login the IdP did not prove MFA for is refused. */
    private readonly totpAvailable: boolean,
  ) {}

  /** Remembers an AuthnRequest id so that any instance can check the response's InResponseTo. */
  async rememberRequest(actor: Actor, requestId: string): Promise<void> {
    const now = this.clock.now();
    await this.uow.write(actor.accountId, async (tx) => {
      await tx.sso.purgeExpired(actor.accountId, now);
      await tx.sso.insertRequest(actor.accountId, requestId, now, now + requestLifetimeMs);
    });
  }

  /** True when this account issued `requestId`, recently, and it was not used yet. */
  async requestIssued(actor: Actor, requestId: string): Promise<boolean> {
    const expiry = await this.uow.read((tx) => tx.sso.requestExpiry(actor.accountId, requestId));
    return expiry !== null && expiry > this.clock.now();
  }

  /** A request id answers one response only. */
  async forgetRequest(actor: Actor, requestId: string): Promise<void> {
    await this.uow.write(actor.accountId, (tx) => tx.sso.deleteRequest(actor.accountId, requestId));
  }

  /** Records a response refused before anyone was looked up (bad signature, wrong audience, …). */
  async refuseResponse(actor: Actor, reason: ResponseRefusal, detail: string): Promise<void> {
    await this.uow.write(actor.accountId, (tx) =>
      recordAudit(tx, actor, this.clock, {
        action: 'sso.login_refused',
        subjectType: 'account',
        subjectId: actor.accountId,
        before: null,
        after: { reason, detail },
      }),
    );
  }

  /** Lets the named user in, or says why not; either way in one transaction with its audit event. */
  async signIn(actor: Actor, assertion: VerifiedAssertion): Promise<SignInOutcome> {
    const now = this.clock.now();
    return this.uow.write(actor.accountId, async (tx) => {
      await tx.sso.purgeExpired(actor.accountId, now);
      // Remembered even when the login is refused: a replay is a replay whatever the first outcome.
      const fresh = await tx.sso.rememberAssertion(actor.accountId, assertion.assertionId, assertion.expires);
      const outcome = fresh ? await this.decide(tx, actor, assertion) : refused('replayed', null);
      await this.record(tx, actor, assertion, outcome, now);
      return outcome;
    });
  }

  private async decide(tx: Tx, actor: Actor, assertion: VerifiedAssertion): Promise<SignInOutcome> {
    const account = await tx.accounts.get(actor.accountId);
    if (account?.status !== 'active') return refused('account_closed', null);
    const users = await this.usersNamed(tx, actor, assertion.nameId);
    const user = users.length === 1 ? users[0] : null;
    const access = user ? await tx.roles.accessOf(actor.accountId, { id: user.id }) : null;
    const decision = user ? this.rules.memberDecision(memberOf(actor, user), access, 'sign_in') : null;
    const reason = entryRefusal(users.length, decision);
    const roleKey = access?.roleKey ?? null;
    if (reason || !user || roleKey === null) return refused(reason ?? 'no_access', user?.id ?? null);
    const accountPolicy = await policyOf(tx, actor.accountId);
    const policy = this.totpAvailable ? accountPolicy : { ...accountPolicy, allowTotpStepUp: false };
    const mfa = mfaDecision(
      policy,
      mfaRequirementFor(policy, roleKey, user.mfaRequired),
      assertion.mfaEvidence ?? {},
    );
    if (mfa.kind === 'step_up') {
      return { accepted: false, reason: 'mfa_step_up', userId: user.id, mfaBecause: mfa.because };
    }
    if (mfa.kind === 'refused') {
      return { accepted: false, reason: 'mfa_not_proven', userId: user.id, mfaBecause: mfa.because };
    }
    return {
      mfa: mfa.mfa,
      accepted: true,
      userId: user.id,
      userName: user.userName,
      role: roleKey,
      roleName: this.catalogue.role(roleKey)?.name ?? roleKey,
    };
  }

  /** userName first (case-insensitive), else primary email. */
  private async usersNamed(tx: Tx, actor: Actor, nameId: string): Promise<User[]> {
    const byUserName = await tx.users.findByUserName(actor.accountId, nameId);
    if (byUserName) return [byUserName];
    return tx.sso.findByPrimaryEmail(actor.accountId, nameId);
  }

  private async record(
    tx: Tx,
    actor: Actor,
    assertion: VerifiedAssertion,
    outcome: SignInOutcome,
    now: number,
  ): Promise<void> {
    if (outcome.accepted) {
      await tx.sso.recordSignIn(actor.accountId, outcome.userId, now, assertion.method);
    }
    const stepUp = !outcome.accepted && outcome.reason === 'mfa_step_up';
    await recordAudit(tx, actor, this.clock, {
      // A step-up is neither yet: TotpStepUpService records the outcome once the code is typed.
      action: outcome.accepted
        ? 'sso.login_succeeded'
        : stepUp
          ? 'sso.mfa_step_up_started'
          : 'sso.login_refused',
      subjectType: outcome.userId ? 'user' : 'account',
      subjectId: outcome.userId ?? actor.accountId,
      before: null,
      after: {
        nameId: assertion.nameId,
        method: assertion.method,
        ...(outcome.accepted
          ? { role: outcome.role, mfa: outcome.mfa }
          : { reason: outcome.reason, ...(outcome.mfaBecause ? { mfaRequiredBy: outcome.mfaBecause } : {}) }),
      },
    });
  }
}

function refused(reason: EntryRefusal, userId: UserId | null): SignInOutcome {
  return { accepted: false, reason, userId };
}

/** The person a sign-in names, as the member they will act as once in. */
export function memberOf(actor: Actor, user: User): Actor & { kind: 'member' } {
  return { kind: 'member', accountId: actor.accountId, userId: user.id, channel: actor.channel };
}
