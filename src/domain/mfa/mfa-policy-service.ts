import type { Catalogue, RoleKey } from '../access/catalogue';
import type { RuleBook } from '../access/rule-book';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import { isUuid, type AccountId, type UserId } from '../ids';
import type { Clock, Tx, UnitOfWork } from '../ports';
import type { User } from '../users/user';
import type { UserService } from '../users/user-service';
import { mfaRequirementFor, onlyTotpProves, type MfaPolicy, type MfaRequirement } from './mfa-policy';
import { policyOf } from './mfa-state';

const maxValues = 50;
const maxValueLength = 1024;

export type MfaPolicyChange = Partial<MfaPolicy>;

/** What the SAML login needs to decide about one user. */
export interface LoginMfa {
  policy: MfaPolicy;
  requirement: MfaRequirement;
}

/**
 * The account's MFA policy and users' MFA flags: who must prove MFA at sign-in and what
 * counts as proof. Owner and Admin change them (audited); the vendor's support staff never do
 * (the rule book: support is read-only). The IdP sets a user's flag through SCIM (UserService, same audit event).
 */
export class MfaPolicyService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly catalogue: Catalogue,
    private readonly rules: RuleBook,
    private readonly users: UserService,
    /** The server has MFA_TOTP_KEY: Roster's TOTP step-up can work. */
    private readonly totpAvailable: boolean,
  ) {}

  /**
   * Accounts whose stored policy accepts only Roster's TOTP as proof of MFA: none can work on a
   * server without MFA_TOTP_KEY (the server warns at start). Not an actor's question: the operator's.
   */
  async accountsNeedingTotp(): Promise<AccountId[]> {
    return this.uow.read((tx) => tx.mfa.accountsWhere(onlyTotpProves));
  }

  async get(actor: Actor): Promise<MfaPolicy> {
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'sso.view');
      return policyOf(tx, actor.accountId);
    });
  }

  /** Changes the fields given and leaves the others as they are. */
  async set(actor: Actor, change: MfaPolicyChange): Promise<MfaPolicy> {
    return this.uow.write(actor.accountId, async (tx) => {
      await this.rules.assert(tx, actor, 'sso.configure');
      const before = await policyOf(tx, actor.accountId);
      const after = this.normalized({ ...before, ...change });
      return this.save(tx, actor, before, after);
    });
  }

  /** Turns one role's flag on or off (e.g. require MFA of every Admin). */
  async setRole(actor: Actor, roleKey: RoleKey, required: boolean): Promise<MfaPolicy> {
    return this.uow.write(actor.accountId, async (tx) => {
      await this.rules.assert(tx, actor, 'sso.configure');
      const before = await policyOf(tx, actor.accountId);
      const others = before.roleKeys.filter((key) => key !== roleKey);
      const after = this.normalized({ ...before, roleKeys: required ? [...others, roleKey] : others });
      return this.save(tx, actor, before, after);
    });
  }

  /**
   * Sets (or with null, clears) a user's own flag from the admin API or the CLI. Only the Owner
   * changes the Owner's flag (the rule book's owner_protected), as any other change to the Owner.
   */
  async setUserRequirement(actor: Actor, userId: string, required: boolean | null): Promise<MfaRequirement> {
    return this.uow.write(actor.accountId, async (tx) => {
      const user = await this.user(tx, actor.accountId, userId);
      await this.rules.assert(tx, actor, 'member.mfa.set', await this.rules.userTarget(tx, user));
      await this.users.setMfaRequired(tx, actor, user, required);
      const role = (await tx.roles.stored(actor.accountId, [user.id])).get(user.id);
      return mfaRequirementFor(
        await policyOf(tx, actor.accountId),
        role?.effective.roleKey ?? null,
        required,
      );
    });
  }

  /** For the SAML login (no actor: the user is signing in): the policy and this user's requirement. */
  async forLogin(accountId: AccountId, userId: UserId): Promise<LoginMfa> {
    return this.uow.read(async (tx) => {
      const user = await this.user(tx, accountId, userId);
      const policy = await policyOf(tx, accountId);
      const role = (await tx.roles.stored(accountId, [user.id])).get(user.id);
      return {
        policy,
        requirement: mfaRequirementFor(policy, role?.effective.roleKey ?? null, user.mfaRequired),
      };
    });
  }

  private async save(tx: Tx, actor: Actor, before: MfaPolicy, after: MfaPolicy): Promise<MfaPolicy> {
    await tx.mfa.save(actor.accountId, after, this.clock.now());
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      await recordAudit(tx, actor, this.clock, {
        action: 'mfa.policy_changed',
        subjectType: 'account',
        subjectId: actor.accountId,
        before,
        after,
      });
    }
    return after;
  }

  /** Checks a policy and puts its lists in a stable order without duplicates. */
  private normalized(policy: MfaPolicy): MfaPolicy {
    for (const key of policy.roleKeys) {
      if (!this.catalogue.hasRole(key)) {
        const known = this.catalogue.roles.map((r) => r.key).join(', ');
        throw DomainError.invalid('role.unknown', `Unknown role "${key}"; roles: ${known}`);
      }
    }
    const result: MfaPolicy = {
      required: policy.required,
      roleKeys: this.catalogue.roles.map((r) => r.key).filter((key) => policy.roleKeys.includes(key)),
      acceptedAuthnContextClassRefs: values(
        'acceptedAuthnContextClassRefs',
        policy.acceptedAuthnContextClassRefs,
      ),
      acceptedAuthnMethods: values('acceptedAuthnMethods', policy.acceptedAuthnMethods),
      allowTotpStepUp: policy.allowTotpStepUp,
    };
    // Otherwise a required user could never sign in: nothing would count as proof.
    if (onlyTotpProves(result) && !this.totpAvailable) {
      throw DomainError.invalid(
        'mfa.totp_unavailable',
        "Roster's TOTP step-up would be the only proof of MFA, but this server has no MFA_TOTP_KEY: " +
          "accept your IdP's MFA (acceptedAuthnContextClassRefs or acceptedAuthnMethods), or ask the operator to set MFA_TOTP_KEY",
      );
    }
    if (
      result.acceptedAuthnContextClassRefs.length === 0 &&
      result.acceptedAuthnMethods.length === 0 &&
      !result.allowTotpStepUp
    ) {
      throw DomainError.invalid(
        'mfa.unprovable',
        'Accept at least one AuthnContextClassRef or authentication method, or allow the TOTP step-up',
      );
    }
    return result;
  }

  private async user(tx: Tx, accountId: AccountId, idOrUserName: string): Promise<User> {
    const user = isUuid(idOrUserName)
      ? await tx.users.get(accountId, idOrUserName as UserId)
      : await tx.users.findByUserName(accountId, idOrUserName);
    if (!user) throw DomainError.notFound('user.not_found', `User ${idOrUserName} not found`);
    return user;
  }
}

function values(name: string, list: readonly string[]): string[] {
  const trimmed = [...new Set(list.map((v) => v.trim()))];
  if (trimmed.length > maxValues) {
    throw DomainError.invalid('mfa.too_many_values', `${name}: at most ${maxValues} values`);
  }
  for (const value of trimmed) {
    if (!value || value.length > maxValueLength) {
      throw DomainError.invalid(
        'mfa.value_invalid',
        `${name}: each value must be 1 to ${maxValueLength} characters`,
      );
    }
  }
  return trimmed;
}
