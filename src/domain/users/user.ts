import type { AccountId, UserId } from '../ids';
import type { EffectiveRole } from '../access/effective-role';
import { DomainError } from '../errors';
import { assertText, normalizeCaseInsensitive, textLimits } from '../text';
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

/**
 * The user as a view shows them: the document (`profile`) and what is kept beside it. The named
 * copies of its values (names, emails, employee number), which exist for the rules and indexes,
 * are left out: a list page reads a hundred users, and reading and parsing those copies cost a
 * tenth of it.
 */
export type ShownUser = Pick<
  User,
  | 'id'
  | 'userName'
  | 'externalId'
  | 'active'
  | 'managerId'
  | 'profile'
  | 'version'
  | 'created'
  | 'lastModified'
  | 'mfaRequired'
>;

export interface UserView {
  user: ShownUser;
  groups: GroupRef[];
  /** The user's effective role and where it comes from (absent where a caller did not load it). */
  role?: EffectiveRole;
  /** Whether MFA is required at sign-in and which flag requires it (absent where not loaded). */
  mfa?: MfaRequirement;
}

// RFC 7643 §4.1.1: userName is caseExact=false, so uniqueness and lookups use this key.
export function normalizeUserName(userName: string): string {
  return normalizeCaseInsensitive(userName);
}

const { name: columnSize, emailType: emailTypeSize, profileValue, profileValues } = textLimits;

/**
 * The checks every channel's draft must pass before it is stored. The named fields have columns
 * (and lowercased `_norm` copies) of VARCHAR(255); everything else lives in the profile document.
 */
export function assertValidDraft(draft: UserDraft): void {
  if (!draft.userName || !draft.userName.trim()) {
    throw DomainError.invalid('user.user_name_required', 'userName is required and must not be blank');
  }
  const ci = normalizeCaseInsensitive;
  assertText('user', 'userName', draft.userName, columnSize, ci);
  assertText('user', 'externalId', draft.externalId, columnSize);
  assertText('user', 'displayName', draft.displayName, columnSize, ci);
  assertText('user', 'name.givenName', draft.givenName, columnSize, ci);
  assertText('user', 'name.familyName', draft.familyName, columnSize, ci);
  assertText('user', 'employeeNumber', draft.employeeNumber, columnSize);
  if (draft.emails.length > profileValues) {
    throw DomainError.invalid('user.too_many_values', `emails has more than ${profileValues} values`);
  }
  for (const email of draft.emails) {
    assertText('user', 'emails.value', email.value, columnSize, ci);
    assertText('user', 'emails.type', email.type, emailTypeSize, ci);
  }
  if (draft.emails.filter((e) => e.primary).length > 1) {
    throw DomainError.invalid('user.emails_two_primary', 'At most one email may be primary');
  }
  assertProfileText(draft.profile, '');
}

/** Every string of the SCIM document within the profile bound, every list within the value count. */
function assertProfileText(value: unknown, path: string): void {
  if (typeof value === 'string') {
    const binary = /^x509certificates\.value$/i.test(path);
    return assertText('user', path, value, binary ? textLimits.binaryValue : profileValue);
  }
  if (Array.isArray(value)) {
    if (value.length > profileValues) {
      throw DomainError.invalid('user.too_many_values', `${path} has more than ${profileValues} values`);
    }
    for (const item of value) assertProfileText(item, path);
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) assertProfileText(item, path ? `${path}.${key}` : key);
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
