import type { Decision } from '../access/rules';

/** Why the response itself was refused: the SAML adapter decides these before anyone is looked up. */
export type ResponseRefusal =
  | 'not_configured'
  | 'malformed'
  | 'unsigned'
  | 'bad_signature'
  | 'weak_algorithm'
  | 'wrong_issuer'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_audience'
  | 'wrong_destination'
  | 'unknown_request'
  | 'idp_initiated_off'
  | 'idp_error'
  /** The assertion names nobody: its NameID is empty. */
  | 'no_name_id'
  /** A RelayState that would leave Roster's origin (an open redirect). */
  | 'foreign_relay_state';

/** Why a person was refused once the response was trusted. */
export type EntryRefusal =
  | 'replayed'
  | 'account_closed'
  | 'unknown_user'
  | 'ambiguous_user'
  | 'inactive_user'
  | 'no_access'
  /** MFA is required, the IdP did not prove it and the account does not allow Roster's TOTP. */
  | 'mfa_not_proven'
  /** The TOTP step-up expired or the user's TOTP is locked after wrong codes. */
  | 'mfa_step_up_failed';

export type SignInRefusal = ResponseRefusal | EntryRefusal;

/**
 * Why a person may not enter, from how many users the NameID named and the rule book's decision
 * about the one it named (RuleBook.memberDecision: active, with a role). Nobody is created on the
 * fly. A NameID that matches two users by email names nobody for sure: refused, never guessed.
 */
export function entryRefusal(matches: number, decision: Decision | null): EntryRefusal | null {
  if (matches === 0) return 'unknown_user';
  if (matches > 1) return 'ambiguous_user';
  if (!decision || decision.allowed) return null;
  return decision.rule === 'credential_not_live' ? 'inactive_user' : 'no_access';
}
