import type { RoleKey } from '../access/catalogue';
import type { User } from '../users/user';

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

/** Why a person was refused once the response was trusted (issue 5, "Who may enter"). */
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

/** Who the NameID named, as the rules see them. */
export interface Candidate {
  /** Every user the NameID matches: by userName first, else by primary email. */
  users: User[];
  roleKey: RoleKey | null;
}

/**
 * May this person enter? Only an existing, active user with access (a role) does; nobody is
 * created on the fly. A NameID that matches two users by email names nobody for sure, so it is
 * refused rather than guessed.
 */
export function entryRefusal(candidate: Candidate): EntryRefusal | null {
  if (candidate.users.length === 0) return 'unknown_user';
  if (candidate.users.length > 1) return 'ambiguous_user';
  if (!candidate.users[0].active) return 'inactive_user';
  if (candidate.roleKey === null) return 'no_access';
  return null;
}
