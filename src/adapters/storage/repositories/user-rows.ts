/** How a user is stored in and read from a `users` row (UserRepositorySql and its list pages). */
import type { UserTombstone } from '../../../domain/ports';
import type { AccountId, UserId } from '../../../domain/ids';
import {
  normalizeUserName,
  primaryEmail,
  type ShownUser,
  type User,
  type UserEmail,
} from '../../../domain/users/user';
import { normalizeCaseInsensitive } from '../../../domain/text';
import { bool, num } from './sql';

/** The columns a User is read from, in the order fromValues takes them (not the lowercased copies). */
export const userColumns = [
  'id',
  'account_id',
  'user_name',
  'external_id',
  'active',
  'display_name',
  'given_name',
  'family_name',
  'employee_number',
  'manager_id',
  'emails',
  'profile',
  'version',
  'created_at',
  'last_modified',
  'home_user_id',
  'mfa_required',
] as const;

/** The `_norm` copy of a case-insensitive value: the same key filters compare with (domain/text.ts). */
export const norm = (value: string | null): string | null =>
  value === null ? null : normalizeCaseInsensitive(value);

export function toRow(user: User): Record<string, unknown> {
  return {
    id: user.id,
    account_id: user.accountId,
    user_name: user.userName,
    user_name_norm: normalizeUserName(user.userName),
    external_id: user.externalId,
    active: user.active,
    display_name: user.displayName,
    display_name_norm: norm(user.displayName),
    given_name: user.givenName,
    given_name_norm: norm(user.givenName),
    family_name: user.familyName,
    family_name_norm: norm(user.familyName),
    employee_number: user.employeeNumber,
    manager_id: user.managerId,
    primary_email_norm: norm(primaryEmail(user.emails)),
    emails: JSON.stringify(user.emails),
    profile: JSON.stringify(user.profile),
    version: user.version,
    created_at: user.created,
    last_modified: user.lastModified,
    mfa_required: user.mfaRequired ?? null,
  };
}

export function fromRow(row: Record<string, unknown>): User {
  return fromValues(userColumns.map((name) => row[name]));
}

/** A User from the values of `userColumns`, in that order (a list page reads rows as arrays). */
export function fromValues(v: unknown[]): User {
  // Indexed reads, no destructuring copies: a list page maps a hundred rows.
  const mfaRequired = v[16];
  return {
    id: v[0] as UserId,
    accountId: v[1] as AccountId,
    userName: v[2] as string,
    externalId: (v[3] as string | null) ?? null,
    active: bool(v[4]),
    displayName: (v[5] as string | null) ?? null,
    givenName: (v[6] as string | null) ?? null,
    familyName: (v[7] as string | null) ?? null,
    employeeNumber: (v[8] as string | null) ?? null,
    managerId: (v[9] as UserId | null) ?? null,
    emails: JSON.parse(v[10] as string) as UserEmail[],
    profile: JSON.parse(v[11] as string) as Record<string, unknown>,
    version: num(v[12]),
    created: num(v[13]),
    lastModified: num(v[14]),
    homeUserId: (v[15] as UserId | null | undefined) ?? null,
    mfaRequired: mfaRequired === null || mfaRequired === undefined ? null : bool(mfaRequired),
  };
}

/** The columns a view's user is read from (`ShownUser`), in the order `shownFromValues` takes them. */
export const shownColumns = [
  'id',
  'user_name',
  'external_id',
  'active',
  'manager_id',
  'profile',
  'version',
  'created_at',
  'last_modified',
  'mfa_required',
] as const;

/** A view's user from the values of `shownColumns`, in that order. */
export function shownFromValues(v: unknown[]): ShownUser {
  const mfaRequired = v[9];
  return {
    id: v[0] as UserId,
    userName: v[1] as string,
    externalId: (v[2] as string | null) ?? null,
    active: bool(v[3]),
    managerId: (v[4] as UserId | null) ?? null,
    profile: JSON.parse(v[5] as string) as Record<string, unknown>,
    version: num(v[6]),
    created: num(v[7]),
    lastModified: num(v[8]),
    mfaRequired: mfaRequired === null || mfaRequired === undefined ? null : bool(mfaRequired),
  };
}

/**
 * Code point order, as SQLite's BINARY and utf8mb4_bin compare (UTF-8 byte order); JavaScript's
 * `<` compares UTF-16 units, which differs once a string holds characters beyond U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const surrogates = /[\uD800-\uDFFF]/;
  if (!surrogates.test(a) && !surrogates.test(b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export function toTombstone(row: Record<string, unknown>): UserTombstone {
  return {
    userId: row.user_id as UserId,
    accountId: row.account_id as AccountId,
    userName: row.user_name as string,
    externalId: (row.external_id as string | null) ?? null,
    employeeNumber: (row.employee_number as string | null) ?? null,
    deleted: num(row.deleted_at),
  };
}
