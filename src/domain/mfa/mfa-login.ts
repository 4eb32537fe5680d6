import {
  provesMfa,
  type MfaEvidence,
  type MfaPolicy,
  type MfaReason,
  type MfaRequirement,
} from './mfa-policy';

/** How a login met the account's MFA policy (GET /api/v1/me shows it once sessions exist). */
export interface MfaSatisfied {
  method: 'idp' | 'totp' | 'not_required';
  /** The IdP value that proved it, "totp" or "backup_code", or null when not required. */
  detail: string | null;
}

export type MfaDecision =
  | { kind: 'satisfied'; mfa: MfaSatisfied }
  /** The IdP did not prove MFA; Roster asks for its own TOTP code before the login is accepted. */
  | { kind: 'step_up'; because: MfaReason }
  /** The IdP did not prove MFA and the account does not allow the step-up. */
  | { kind: 'refused'; because: MfaReason };

/**
 * Decides, before a SAML login is accepted, whether the response met the user's MFA requirement:
 * proven by the IdP (an accepted AuthnContextClassRef or authentication method), or
 * to be completed with Roster's TOTP, or refused. Pure: SignInService calls it in its transaction.
 */
export function mfaDecision(
  policy: MfaPolicy,
  requirement: MfaRequirement,
  evidence: MfaEvidence,
): MfaDecision {
  if (!requirement.required || requirement.because === null) {
    return { kind: 'satisfied', mfa: { method: 'not_required', detail: null } };
  }
  if (provesMfa(policy, evidence)) {
    return { kind: 'satisfied', mfa: { method: 'idp', detail: provingValue(policy, evidence) } };
  }
  return policy.allowTotpStepUp
    ? { kind: 'step_up', because: requirement.because }
    : { kind: 'refused', because: requirement.because };
}

function provingValue(policy: MfaPolicy, evidence: MfaEvidence): string {
  const classRef = (evidence.authnContextClassRefs ?? []).find((v) =>
    policy.acceptedAuthnContextClassRefs.includes(v.trim()),
  );
  if (classRef) return `AuthnContextClassRef ${classRef.trim()}`;
  const method = (evidence.authnMethods ?? []).find((v) => policy.acceptedAuthnMethods.includes(v.trim()));
  return `authentication method ${method?.trim() ?? ''}`;
}

/** The AuthnContextClassRefs an AuthnRequest asks for: only when the account requires MFA of everyone. */
export function requestedAuthnContext(policy: MfaPolicy): string[] | null {
  return policy.required && policy.acceptedAuthnContextClassRefs.length > 0
    ? [...policy.acceptedAuthnContextClassRefs]
    : null;
}
