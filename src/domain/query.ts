import { DomainError } from './errors';
import { profileFields, type ProfileCollection } from './users/profile-index';

function kindsOf<K extends string>(fields: Record<K, { kind: FieldKind }>): { [P in K]: FieldKind } {
  return Object.fromEntries(
    Object.entries(fields).map(([name, f]) => [name, (f as { kind: FieldKind }).kind]),
  ) as {
    [P in K]: FieldKind;
  };
}

/**
 * A storage-neutral search condition. The SCIM adapter builds it from a filter; the storage
 * adapter turns it into SQL on indexed columns. The domain names the fields, so neither side
 * can filter on something the other cannot serve.
 */
export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** Scalar values after type coercion: strings, booleans, numbers, or epoch milliseconds for dates. */
export type FieldValue = string | number | boolean | null;

export type Condition<F extends string = string, C extends string = string> =
  | { kind: 'compare'; field: F; op: CompareOp; value: FieldValue }
  | { kind: 'present'; field: F }
  | { kind: 'and'; left: Condition<F, C>; right: Condition<F, C> }
  | { kind: 'or'; left: Condition<F, C>; right: Condition<F, C> }
  | { kind: 'not'; inner: Condition<F, C> }
  /** Some element of a multi-valued collection (emails, members) matches `where`. */
  | { kind: 'some'; collection: C; where: Condition<string, never> }
  /** Matches nothing; the result of e.g. `id eq "not-a-uuid"`. */
  | { kind: 'none' };

/**
 * Fields of a user that can be filtered and sorted, with how each compares.
 * `ci` = case-insensitive (RFC 7643 caseExact=false), `ce` = case-exact, `bool`, `time` (epoch ms).
 */
export const userFields = {
  id: 'ce',
  userName: 'ci',
  externalId: 'ce',
  displayName: 'ci',
  givenName: 'ci',
  familyName: 'ci',
  employeeNumber: 'ce',
  managerId: 'ce',
  primaryEmail: 'ci',
  active: 'bool',
  created: 'time',
  lastModified: 'time',
  /** The manager's displayName (enterprise `manager.displayName`). */
  managerDisplayName: 'ci',
  // Attributes kept only in the SCIM document, filterable through their index (profile-index.ts).
  ...kindsOf(profileFields),
} as const;
export type UserField = keyof typeof userFields;

/** Fields of one element of a user's `emails`. */
export const userEmailFields = { value: 'ci', type: 'ci', primary: 'bool', display: 'ci' } as const;
export type UserCollection = 'emails' | 'groups' | ProfileCollection;
/** `groups` elements: the group's id (`value`) and name (`display`). */
export const userGroupFields = { value: 'ce', display: 'ci' } as const;

export const groupFields = {
  id: 'ce',
  displayName: 'ci',
  externalId: 'ce',
  created: 'time',
  lastModified: 'time',
} as const;
export type GroupField = keyof typeof groupFields;
export type GroupCollection = 'members';
/** `members` elements: the member user's id (`value`) and userName (`display`). */
export const groupMemberFields = { value: 'ce', display: 'ci' } as const;

export type FieldKind = 'ci' | 'ce' | 'bool' | 'time';

export type UserCondition = Condition<UserField, UserCollection>;
export type GroupCondition = Condition<GroupField, GroupCollection>;

export interface ListQuery<F extends string, C extends string> {
  where?: Condition<F, C>;
  sortBy?: F;
  sortOrder: 'ascending' | 'descending';
  /** 0-based offset (SCIM startIndex - 1); ignored when `keyset` is set. */
  offset: number;
  /** 0 means count only. */
  limit: number;
  /**
   * Keyset paging: the rows just after (`forward`) or just before (`backward`) the row at `from`
   * in the sort order, or the first rows when `from` is absent. The database seeks to `from` on an
   * index instead of skipping rows, so the last page costs what the first does.
   */
  keyset?: { direction: 'forward' | 'backward'; from?: RowKey };
}

/** Where a row stands in a sort order: the sort field's stored value (null when absent) and the id. */
export interface RowKey {
  sort: FieldValue;
  id: string;
}

export interface Page<T> {
  total: number;
  items: T[];
  /**
   * With keyset paging: the keys of the first and last item, and whether more rows lie beyond the
   * page in the direction of travel.
   */
  edges?: { first: RowKey | null; last: RowKey | null; more: boolean };
}

/** A page size from a request: `fallback` when absent, else a whole number from 1 to `max`. */
export function pageLimit(limit: number | undefined, max: number, code: string, fallback = 100): number {
  const value = limit ?? fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw DomainError.invalid(code, `limit must be a whole number from 1 to ${max}`);
  }
  return value;
}
