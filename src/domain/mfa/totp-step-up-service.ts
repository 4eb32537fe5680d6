import type { Catalogue } from '../access/catalogue';
import type { RuleBook } from '../access/rule-book';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import { isUuid, type AccountId, type UserId } from '../ids';
import type { Clock, Tx, UnitOfWork } from '../ports';
import { entryRefusal } from '../sso/sign-in-rules';
import { memberOf } from '../sso/sign-in-service';
import type { SamlSubject, SignInMethod } from '../sso/sso-ports';
import type { SecretCodec } from '../tokens/scim-token-service';
import { requestedAuthnContext, type MfaSatisfied } from './mfa-login';
import { policyOf } from './mfa-state';
import type { PendingLogin, TotpCrypto, TotpEnrolment } from './totp-ports';

/** A pending login waits this long for its code. */
const pendingLifetimeMs = 5 * 60_000;
/** This many wrong codes in a row lock the user's TOTP … */
export const maxWrongCodes = 5;
/** … for this long. */
export const lockMs = 15 * 60_000;
const backupCodeCount = 10;
const issuer = 'Roster';

/** What the step-up page shows. */
export interface StepUpPrompt {
  userName: string;
  /** Present until the user confirmed an authenticator: the secret to add to it (shown once per login). */
  enrolment: { secret: string; keyUri: string } | null;
  lockedUntil: number | null;
}

export type StepUpResult =
  | {
      kind: 'accepted';
      userId: UserId;
      userName: string;
      role: string;
      roleName: string;
      relayState: string | null;
      /** Who the IdP named (for the session, and single logout). */
      samlSubject: SamlSubject | null;
      mfa: MfaSatisfied;
      /** Ten new backup codes, only on the login that confirmed the enrolment: shown once. */
      backupCodes: string[] | null;
    }
  | { kind: 'wrong_code'; attemptsLeft: number }
  /** `relayState`: where the sign-in was going (a product's sign-in hears that it was refused). */
  | { kind: 'locked'; until: number; relayState: string | null }
  /** No such pending login, or it expired: start the sign-in again. */
  | { kind: 'expired'; relayState: string | null };

/**
 * Roster's own TOTP step-up: when the IdP did not prove MFA and the account allows it,
 * the SAML login becomes a pending login (a random cookie, hashed at rest) that a TOTP code or a
 * single-use backup code completes. Wrong codes lock the user's TOTP for a while; an Owner or
 * Admin can reset it (never support staff: `mfa.reset` is on their never-list).
 */
export class TotpStepUpService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly codec: SecretCodec,
    private readonly totp: TotpCrypto,
    private readonly catalogue: Catalogue,
    private readonly rules: RuleBook,
  ) {}

  /** Starts the pending login of a user the SAML response named; returns the cookie value. */
  async begin(
    actor: Actor,
    userId: UserId,
    method: SignInMethod,
    relayState: string | null,
    samlSubject: SamlSubject | null = null,
  ): Promise<{ token: string; prompt: StepUpPrompt }> {
    const now = this.clock.now();
    const token = this.codec.newSecret();
    return this.uow.write(actor.accountId, async (tx) => {
      await tx.totp.purgePending(now);
      const user = await this.user(tx, actor.accountId, userId);
      await tx.totp.insertPending({
        tokenHash: this.codec.digest(token),
        accountId: actor.accountId,
        userId,
        method,
        relayState,
        samlSubject,
        expires: now + pendingLifetimeMs,
      });
      // SignInService already audited the start (sso.mfa_step_up_started) with the response's facts.
      const prompt = await this.prompt(tx, actor.accountId, userId, user.userName, now);
      return { token, prompt };
    });
  }

  /** Checks a TOTP or backup code against a pending login; accepts the login when it is right. */
  async complete(actor: Actor, token: string, code: string): Promise<StepUpResult> {
    const now = this.clock.now();
    const tokenHash = this.codec.digest(token);
    return this.uow.write(actor.accountId, async (tx) => {
      const pending = await tx.totp.getPending(tokenHash);
      if (!pending || pending.accountId !== actor.accountId)
        return { kind: 'expired', relayState: null } as const;
      const { relayState } = pending;
      if (pending.expires <= now) return { kind: 'expired', relayState } as const;
      const enrolment = await tx.totp.getEnrolment(actor.accountId, pending.userId);
      if (!enrolment) return { kind: 'expired', relayState } as const;
      if (enrolment.lockedUntil !== null && enrolment.lockedUntil > now) {
        return { kind: 'locked', until: enrolment.lockedUntil, relayState } as const;
      }
      const proof = await this.check(tx, enrolment, code, now);
      if (!proof) return this.wrongCode(tx, actor, enrolment, tokenHash, relayState, now);
      await tx.totp.deletePending(tokenHash);
      return this.accept(tx, actor, enrolment, pending, proof, now);
    });
  }

  /** The prompt of a pending login again (after a wrong code): the same secret while enrolling. */
  async promptFor(actor: Actor, token: string): Promise<StepUpPrompt | null> {
    const now = this.clock.now();
    return this.uow.read(async (tx) => {
      const pending = await tx.totp.getPending(this.codec.digest(token));
      if (!pending || pending.accountId !== actor.accountId || pending.expires <= now) return null;
      const user = await tx.users.get(actor.accountId, pending.userId);
      const enrolment = await tx.totp.getEnrolment(actor.accountId, pending.userId);
      if (!user || !enrolment) return null;
      const secret = enrolment.confirmed ? null : this.totp.open(enrolment.sealedSecret);
      return {
        userName: user.userName,
        enrolment: secret ? { secret, keyUri: this.totp.keyUri(secret, user.userName, issuer) } : null,
        lockedUntil: lockedAt(enrolment, now),
      };
    });
  }

  /** Forgets a user's authenticator and backup codes: their next step-up enrols again. */
  async reset(actor: Actor, userId: string): Promise<void> {
    await this.uow.write(actor.accountId, async (tx) => {
      const user = await this.user(tx, actor.accountId, userId);
      await this.rules.assert(tx, actor, 'member.totp.reset', await this.rules.userTarget(tx, user));
      if (!(await tx.totp.deleteEnrolment(actor.accountId, user.id))) {
        throw DomainError.notFound('mfa.totp_not_enrolled', `User ${user.userName} has no TOTP to reset`);
      }
      await recordAudit(tx, actor, this.clock, {
        action: 'mfa.totp_reset',
        subjectType: 'user',
        subjectId: user.id,
        before: { totpEnrolled: true },
        after: { totpEnrolled: false },
      });
    });
  }

  /** The AuthnContextClassRefs an account's AuthnRequests ask for, or null (see mfa-login.ts). */
  async requestedContext(accountId: AccountId): Promise<string[] | null> {
    return this.uow.read(async (tx) => requestedAuthnContext(await policyOf(tx, accountId)));
  }

  private async prompt(
    tx: Tx,
    accountId: AccountId,
    userId: UserId,
    userName: string,
    now: number,
  ): Promise<StepUpPrompt> {
    const existing = await tx.totp.getEnrolment(accountId, userId);
    if (existing?.confirmed) return { userName, enrolment: null, lockedUntil: lockedAt(existing, now) };
    // Not confirmed yet: a fresh secret each time, so one seen on an abandoned login is worthless.
    const secret = this.totp.newSecret();
    await tx.totp.saveEnrolment({
      accountId,
      userId,
      sealedSecret: this.totp.seal(secret),
      confirmed: false,
      failedAttempts: existing?.failedAttempts ?? 0,
      lockedUntil: existing?.lockedUntil ?? null,
      lastStep: null,
      created: now,
    });
    return {
      userName,
      enrolment: { secret, keyUri: this.totp.keyUri(secret, userName, issuer) },
      lockedUntil: existing ? lockedAt(existing, now) : null,
    };
  }

  /** 'totp' with its time step, 'backup_code', or null when the code is wrong. */
  private async check(
    tx: Tx,
    enrolment: TotpEnrolment,
    code: string,
    now: number,
  ): Promise<{ detail: 'totp'; step: number } | { detail: 'backup_code' } | null> {
    const typed = code.replace(/[\s-]/g, '').toLowerCase();
    if (/^\d{6}$/.test(typed)) {
      const step = this.totp.verify(this.totp.open(enrolment.sealedSecret), typed, now);
      // A code is good once: RFC 6238 §5.2.
      if (step === null || (enrolment.lastStep !== null && step <= enrolment.lastStep)) return null;
      return { detail: 'totp', step };
    }
    if (!enrolment.confirmed || typed.length === 0) return null;
    const used = await tx.totp.useBackupCode(
      enrolment.accountId,
      enrolment.userId,
      this.codec.digest(typed),
      now,
    );
    return used ? { detail: 'backup_code' } : null;
  }

  private async wrongCode(
    tx: Tx,
    actor: Actor,
    enrolment: TotpEnrolment,
    tokenHash: string,
    relayState: string | null,
    now: number,
  ): Promise<StepUpResult> {
    const failed = enrolment.failedAttempts + 1;
    const locks = failed >= maxWrongCodes;
    const lockedUntil = locks ? now + lockMs : null;
    await tx.totp.saveEnrolment({ ...enrolment, failedAttempts: locks ? 0 : failed, lockedUntil });
    await recordAudit(tx, actor, this.clock, {
      action: locks ? 'mfa.totp_locked' : 'mfa.totp_code_refused',
      subjectType: 'user',
      subjectId: enrolment.userId,
      before: null,
      after: locks ? { lockedUntil: new Date(now + lockMs).toISOString() } : { failedAttempts: failed },
    });
    if (!locks) return { kind: 'wrong_code', attemptsLeft: maxWrongCodes - failed };
    await tx.totp.deletePending(tokenHash);
    return { kind: 'locked', until: now + lockMs, relayState };
  }

  private async accept(
    tx: Tx,
    actor: Actor,
    enrolment: TotpEnrolment,
    pending: Pick<PendingLogin, 'method' | 'relayState' | 'samlSubject'>,
    proof: { detail: 'totp'; step: number } | { detail: 'backup_code' },
    now: number,
  ): Promise<StepUpResult> {
    const { method, relayState } = pending;
    // Minutes may have passed since the SAML response: the user must still be allowed in.
    const user = await this.user(tx, actor.accountId, enrolment.userId);
    const access = await tx.roles.accessOf(actor.accountId, { id: user.id });
    const roleKey = access?.roleKey ?? null;
    const account = await tx.accounts.get(actor.accountId);
    const decision = this.rules.memberDecision(memberOf(actor, user), access, 'sign_in');
    if (account?.status !== 'active' || entryRefusal(1, decision) || roleKey === null) {
      return { kind: 'expired', relayState };
    }
    const confirming = !enrolment.confirmed;
    await tx.totp.saveEnrolment({
      ...enrolment,
      confirmed: true,
      failedAttempts: 0,
      lockedUntil: null,
      lastStep: proof.detail === 'totp' ? proof.step : enrolment.lastStep,
    });
    const backupCodes = confirming ? await this.newBackupCodes(tx, actor, enrolment) : null;
    if (proof.detail === 'backup_code') {
      await recordAudit(tx, actor, this.clock, {
        action: 'mfa.backup_code_used',
        subjectType: 'user',
        subjectId: user.id,
        before: null,
        after: null,
      });
    }
    const mfa: MfaSatisfied = { method: 'totp', detail: proof.detail };
    await tx.sso.recordSignIn(actor.accountId, user.id, now, method);
    await recordAudit(tx, actor, this.clock, {
      action: 'sso.login_succeeded',
      subjectType: 'user',
      subjectId: user.id,
      before: null,
      after: { nameId: user.userName, method, role: roleKey, mfa },
    });
    return {
      kind: 'accepted',
      userId: user.id,
      userName: user.userName,
      role: roleKey,
      roleName: this.catalogue.role(roleKey)?.name ?? roleKey,
      relayState,
      samlSubject: pending.samlSubject,
      mfa,
      backupCodes,
    };
  }

  private async newBackupCodes(tx: Tx, actor: Actor, enrolment: TotpEnrolment): Promise<string[]> {
    const codes = Array.from({ length: backupCodeCount }, () => this.totp.newBackupCode());
    await tx.totp.replaceBackupCodes(
      enrolment.accountId,
      enrolment.userId,
      codes.map((c) => this.codec.digest(c.replace(/[\s-]/g, '').toLowerCase())),
    );
    await recordAudit(tx, actor, this.clock, {
      action: 'mfa.totp_enrolled',
      subjectType: 'user',
      subjectId: enrolment.userId,
      before: { totpEnrolled: false },
      after: { totpEnrolled: true, backupCodes: codes.length },
    });
    return codes;
  }

  private async user(tx: Tx, accountId: AccountId, idOrUserName: string) {
    const user = isUuid(idOrUserName)
      ? await tx.users.get(accountId, idOrUserName as UserId)
      : await tx.users.findByUserName(accountId, idOrUserName);
    if (!user) throw DomainError.notFound('user.not_found', `User ${idOrUserName} not found`);
    return user;
  }
}

function lockedAt(enrolment: TotpEnrolment, now: number): number | null {
  return enrolment.lockedUntil !== null && enrolment.lockedUntil > now ? enrolment.lockedUntil : null;
}
