import type { AccountId, UserId } from '../ids';
import type { EffectiveRole } from '../access/effective-role';
import { DomainError } from '../errors';
import type { MfaRequirement } from '../mfa/mfa-policy';

export interface UserEmail {
  value: string;
  type: string | null;
  primary: boolean;
}

/**
 * What a channel (SCIM, HR sync, admin API) asks a user to be. `profile` is the full SCIM
 * document (core attributes and extensions) kept as sent; the named fields are the parts the
 * rules and the indexes need.
 */
export interface UserDraft {
  userName: string;
  externalId: string | null;
  active: boolean;
  displayName: string | null;
  givenName: string | null;
  familyName: string | null;
  employeeNumber: string | null;
  managerId: UserId | null;
  emails: UserEmail[];
  profile: Record<string, unknown>;
  /**
   * The user-level MFA flag (the Roster SCIM extension's mfaRequired). Undefined in a draft: leave
   * it as it is; null: not set.
   */
  mfaRequired?: boolean | null;
}

export interface User extends UserDraft {
  id: UserId;
  accountId: AccountId;
  /** Bumped by every write; SCIM's meta.version and ETag. */
  version: number;
  created: number;
  lastModified: number;
  /** In a child account: the parent user this managed user stands for (read-only; set by ChildAccountService). */
  homeUserId?: UserId | null;
}

export interface GroupRef {
  id: string;
  displayName: string;
}

export interface UserView {
  user: User;
  groups: GroupRef[];
  /** The user's effective role and where it comes from (absent where a caller did not load it). */
  role?: EffectiveRole;
  /** Whether MFA is required at sign-in and which flag requires it (absent where not loaded). */
  mfa?: MfaRequirement;
}

// RFC 7643 §4.1.1: userName is caseExact=false, so uniqueness and lookups use this key.
export function normalizeUserName(userName: string): string {
  return userName.trim().toLowerCase();
}

const maxLength = 255;

/** The checks every channel's draft must pass before it is stored. */
export function assertValidDraft(draft: UserDraft): void {
  if (!draft.userName || !draft.userName.trim()) {
    throw DomainError.invalid('user.user_name_required', 'userName is required and must not be blank');
  }
  checkLength('userName', draft.userName);
  checkLength('externalId', draft.externalId);
  checkLength('displayName', draft.displayName);
  checkLength('name.givenName', draft.givenName);
  checkLength('name.familyName', draft.familyName);
  checkLength('employeeNumber', draft.employeeNumber);
  for (const email of draft.emails) checkLength('emails.value', email.value);
  if (draft.emails.filter((e) => e.primary).length > 1) {
    throw DomainError.invalid('user.emails_two_primary', 'At most one email may be primary');
  }
}

function checkLength(name: string, value: string | null): void {
  if (value !== null && value.length > maxLength) {
    throw DomainError.invalid('user.value_too_long', `${name} is longer than ${maxLength} characters`);
  }
}

export function primaryEmail(emails: UserEmail[]): string | null {
  return (emails.find((e) => e.primary) ?? emails[0])?.value ?? null;
}

/** The audit snapshot of a user: what changed is visible without the profile's noise. */
export function auditSnapshot(user: User): Record<string, unknown> {
  return {
    userName: user.userName,
    externalId: user.externalId,
    active: user.active,
    displayName: user.displayName,
    emails: user.emails.map((e) => e.value),
    managerId: user.managerId,
    version: user.version,
  };
}
