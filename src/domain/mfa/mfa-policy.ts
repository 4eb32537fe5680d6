import type { RoleKey } from '../access/catalogue';

/**
 * An account's MFA policy: who must prove a second factor at
 * sign-in, which IdP statements count as that proof, and whether Roster may ask for its own TOTP
 * code when the IdP did not prove it. Pure data and pure functions: the SAML login calls
 * `mfaRequirementFor` and `provesMfa`; MfaPolicyService stores and audits changes.
 */
export interface MfaPolicy {
  /** Everyone in the account. */
  required: boolean;
  /** Holders of these roles (e.g. owner and admin). */
  roleKeys: RoleKey[];
  /** SAML AuthnContextClassRef values that prove MFA. */
  acceptedAuthnContextClassRefs: string[];
  /** Authentication-method attribute values that prove MFA (Entra's authnmethodsreferences, Okta's amr). */
  acceptedAuthnMethods: string[];
  /** When the IdP did not prove MFA, Roster may step up with its own TOTP instead of refusing. */
  allowTotpStepUp: boolean;
}

/**
 * What Okta and Entra ID send for a multi-factor sign-in, as AuthnContextClassRef:
 * Entra (and AD FS, and Okta for Microsoft apps) `…/claims/multipleauthn`; Okta's step-up ACR
 * `urn:okta:loa:2fa:any`. Not PasswordProtectedTransport: that is what both send for a password.
 */
export const defaultAuthnContextClassRefs: readonly string[] = Object.freeze([
  'http://schemas.microsoft.com/claims/multipleauthn',
  'urn:okta:loa:2fa:any',
]);

/**
 * As authentication-method values: Entra's `http://schemas.microsoft.com/claims/authnmethodsreferences`
 * attribute carries `…/claims/multipleauthn` after MFA; Okta's dynamic authentication context
 * (`session.amr`, RFC 8176) carries `mfa`.
 */
export const defaultAuthnMethods: readonly string[] = Object.freeze([
  'http://schemas.microsoft.com/claims/multipleauthn',
  'mfa',
]);

/** The policy of an account that never set one: nobody is required, the IdPs' MFA values count, step-up allowed. */
export function defaultMfaPolicy(): MfaPolicy {
  return {
    required: false,
    roleKeys: [],
    acceptedAuthnContextClassRefs: [...defaultAuthnContextClassRefs],
    acceptedAuthnMethods: [...defaultAuthnMethods],
    allowTotpStepUp: true,
  };
}

/** Which flag makes MFA required: the account's, the user's role's, or the user's own. */
export type MfaReason = 'account' | 'role' | 'user';

export interface MfaRequirement {
  required: boolean;
  /** The broadest flag that applies (account, then role, then user); null when none does. */
  because: MfaReason | null;
}

/**
 * The strictest flag applies: a user flag of false does not exempt anyone from the account's or
 * their role's requirement; it only means the user level asks for nothing.
 */
export function mfaRequirementFor(
  policy: Pick<MfaPolicy, 'required' | 'roleKeys'>,
  roleKey: RoleKey | null,
  userFlag: boolean | null | undefined,
): MfaRequirement {
  if (policy.required) return { required: true, because: 'account' };
  if (roleKey !== null && policy.roleKeys.includes(roleKey)) return { required: true, because: 'role' };
  if (userFlag === true) return { required: true, because: 'user' };
  return { required: false, because: null };
}

/** What an IdP's response said about how the user signed in. */
export interface MfaEvidence {
  authnContextClassRefs?: readonly string[];
  authnMethods?: readonly string[];
}

/** True when any AuthnContextClassRef or authentication method is one the account accepts (exact match). */
export function provesMfa(
  policy: Pick<MfaPolicy, 'acceptedAuthnContextClassRefs' | 'acceptedAuthnMethods'>,
  evidence: MfaEvidence,
): boolean {
  const matches = (sent: readonly string[] | undefined, accepted: readonly string[]) =>
    (sent ?? []).some((value) => accepted.includes(value.trim()));
  return (
    matches(evidence.authnContextClassRefs, policy.acceptedAuthnContextClassRefs) ||
    matches(evidence.authnMethods, policy.acceptedAuthnMethods)
  );
}

/**
 * Roster's TOTP step-up is the only proof of MFA the policy accepts (no IdP value counts): on a
 * server without MFA_TOTP_KEY nobody who must prove MFA could sign in.
 */
export function onlyTotpProves(
  policy: Pick<MfaPolicy, 'acceptedAuthnContextClassRefs' | 'acceptedAuthnMethods' | 'allowTotpStepUp'>,
): boolean {
  return (
    policy.allowTotpStepUp &&
    policy.acceptedAuthnContextClassRefs.length === 0 &&
    policy.acceptedAuthnMethods.length === 0
  );
}
