/** The SCIM list of users: each page's users with their groups, role and MFA requirement. */
import type { RoleSource } from '../../../domain/access/effective-role';
import type { AccountId, UserId } from '../../../domain/ids';
import { mfaRequirementFor } from '../../../domain/mfa/mfa-policy';
import type { ListQuery, Page, UserCollection, UserField } from '../../../domain/query';
import type { GroupRef, UserView } from '../../../domain/users/user';
import type { Dialect } from '../dialect';
import type { SqlRunner } from '../sql-runner';
import { bool, chunks, listRows, placeholders, type PageJoin, type TableSpec } from './sql';
import { compareCodePoints, shownColumns, shownFromValues } from './user-rows';

/** What a SCIM list shows beside each user: the role (as RoleRepositorySql stores it) and the MFA policy. */
const viewJoin: PageJoin = {
  columns: [
    'r.role_key AS j_role_key',
    'r.source AS j_source',
    'r.source_group_id AS j_group_id',
    'rg.display_name AS j_group_name',
    'mp.required AS j_mfa_required',
    'mp.role_keys AS j_mfa_role_keys',
  ],
  joins:
    'LEFT JOIN user_roles r ON r.user_id = p.id AND r.account_id = p.account_id ' +
    'LEFT JOIN directory_groups rg ON rg.id = r.source_group_id ' +
    'LEFT JOIN account_mfa_policies mp ON mp.account_id = p.account_id',
};

/** The account's MFA policy from its row's columns; no row: the default (nothing required). */
export function policyOf(required: unknown, roleKeys: unknown): { required: boolean; roleKeys: string[] } {
  return {
    required: required === null ? false : bool(required),
    roleKeys: roleKeys === null ? [] : (JSON.parse(roleKeys as string) as string[]),
  };
}

export interface NamedGroup {
  ref: GroupRef;
  /** The display name's folded copy, which orders a user's groups. */
  norm: string;
}

function addTo(byUser: Map<UserId, NamedGroup[]>, userId: UserId, group: NamedGroup): void {
  const list = byUser.get(userId);
  if (list) list.push(group);
  else byUser.set(userId, [group]);
}

/** A user's groups by name, then id, in code point order as the databases compare. */
export function inGroupOrder(list: NamedGroup[]): GroupRef[] {
  if (list.length > 1)
    list.sort((x, y) => compareCodePoints(x.norm, y.norm) || compareCodePoints(x.ref.id, y.ref.id));
  return list.map((g) => g.ref);
}

/** Each user's groups, in `inGroupOrder`. */
function sortedGroups(byUser: Map<UserId, NamedGroup[]>): Map<UserId, GroupRef[]> {
  const result = new Map<UserId, GroupRef[]>();
  for (const [userId, list] of byUser) result.set(userId, inGroupOrder(list));
  return result;
}

/**
 * A page of users as the SCIM list shows them. On MariaDB, where each statement is a round trip
 * through the pool, two statements whatever the page: the page with its count, each user's role
 * and the account's MFA policy; then the page's groups. On SQLite, where a statement costs no
 * trip and the derived table of that join costs a sort, the page, the groups, the roles and the
 * policy are read apart, or in one joined statement for a page of a few users (docs/benchmarks.md).
 */
export async function listUserViews(
  sql: SqlRunner,
  dialect: Dialect,
  table: TableSpec,
  accountId: AccountId,
  query: ListQuery<UserField, UserCollection>,
): Promise<Page<UserView>> {
  const joined = dialect === 'mysql';
  const { total, rows, edges } = await listRows(sql, table, accountId, query, joined ? viewJoin : undefined);
  const ids = rows.map((row) => row[0] as UserId);
  let groups: Map<UserId, GroupRef[]>;
  if (joined) groups = await groupsJoined(sql, accountId, ids);
  else if (rows.length <= smallPage) groups = await groupsRolesAndPolicy(sql, accountId, rows);
  else {
    // The page's ids as one JSON array: SQLite walks it with json_each, where a list of a hundred
    // bound ids costs their binding and a temporary index, and each row found names its user by
    // index in the page, no id string to make and look up (docs/benchmarks.md).
    const pageIds = JSON.stringify(ids);
    groups = await groupsApart(sql, accountId, ids, pageIds);
    await appendRolesAndPolicy(sql, accountId, rows, pageIds);
  }
  const width = shownColumns.length;
  // The same policy on every row: read once.
  const policy = rows.length > 0 ? policyOf(rows[0][width + 4], rows[0][width + 5]) : undefined;
  const items = rows.map((row): UserView => {
    const user = shownFromValues(row);
    const [roleKey, source, groupId, groupName] = row.slice(width, width + 4);
    const role = {
      roleKey: (roleKey as string | null | undefined) ?? null,
      source: (source as RoleSource | null | undefined) ?? null,
      groupId: (groupId as string | null | undefined) ?? null,
      groupName: (groupName as string | null | undefined) ?? null,
    };
    return {
      user,
      groups: groups.get(user.id) ?? [],
      role,
      mfa: mfaRequirementFor(policy!, role.roleKey, user.mfaRequired),
    };
  });
  return { total, items, ...(edges ? { edges } : {}) };
}

/**
 * Up to this many users (a filter on userName or externalId finds one), their groups, roles and
 * the account's policy in one joined statement: for so few users a statement costs more than the
 * group row the join reads per membership.
 */
const smallPage = 10;

/**
 * Each user's groups, as `groupsApart` gives them; and appends to each row its role and the
 * account's policy, as `appendRolesAndPolicy` does, in one statement.
 */
async function groupsRolesAndPolicy(
  sql: SqlRunner,
  accountId: AccountId,
  rows: unknown[][],
): Promise<Map<UserId, GroupRef[]>> {
  const byUser = new Map<UserId, NamedGroup[]>();
  if (rows.length === 0) return sortedGroups(byUser);
  const found = await sql.values(
    `SELECT u.id, g.id, g.display_name, g.display_name_norm,
            r.role_key, r.source, r.source_group_id, rg.display_name, mp.required, mp.role_keys
       FROM users u
       LEFT JOIN group_members gm ON gm.user_id = u.id
       LEFT JOIN directory_groups g ON g.id = gm.group_id AND g.account_id = u.account_id
       LEFT JOIN user_roles r ON r.user_id = u.id AND r.account_id = u.account_id
       LEFT JOIN directory_groups rg ON rg.id = r.source_group_id
       LEFT JOIN account_mfa_policies mp ON mp.account_id = u.account_id
      WHERE u.account_id = ? AND u.id IN (${placeholders(rows.length)})`,
    [accountId, ...rows.map((row) => row[0])],
  );
  const rest = new Map<unknown, unknown[]>();
  for (const [userId, groupId, displayName, norm, ...roleAndPolicy] of found) {
    rest.set(userId, roleAndPolicy);
    if (groupId === null) continue;
    addTo(byUser, userId as UserId, {
      ref: { id: groupId as string, displayName: displayName as string },
      norm: norm as string,
    });
  }
  // A user deleted since the page was read has no role; the account's policy is the same for all.
  const policy = found.length > 0 ? found[0].slice(8, 10) : [null, null];
  for (const row of rows) row.push(...(rest.get(row[0]) ?? [null, null, null, null, ...policy]));
  return sortedGroups(byUser);
}

/**
 * Appends to each row the values `viewJoin` would have: its role, then the account's policy.
 * `pageIds`: the rows' ids as a JSON array.
 */
async function appendRolesAndPolicy(
  sql: SqlRunner,
  accountId: AccountId,
  rows: unknown[][],
  pageIds: string,
): Promise<void> {
  if (rows.length === 0) return;
  const roles = new Array<unknown[] | undefined>(rows.length);
  // COALESCE: on the (account_id, role_key) index SQLite would read every role of the account.
  const found = await sql.values(
    `SELECT j.key, r.role_key, r.source, r.source_group_id, g.display_name FROM json_each(?) j
       JOIN user_roles r ON r.user_id = j.value
       LEFT JOIN directory_groups g ON g.id = r.source_group_id
      WHERE COALESCE(r.account_id, '') = ?`,
    [pageIds, accountId],
  );
  for (const [index, ...role] of found) roles[index as number] = role;
  const [policy] = await sql.values(
    'SELECT required, role_keys FROM account_mfa_policies WHERE account_id = ?',
    [accountId],
  );
  const noRow = [null, null, null, null];
  rows.forEach((row, i) => row.push(...(roles[i] ?? noRow), ...(policy ?? [null, null])));
}

/**
 * Each user's groups, ordered by name then id, in one statement: the memberships from the
 * (user_id, group_id) index joined to their groups of this account, unsorted (a sort in SQL
 * needs a temporary B-tree; they are ordered here). MySQL/MariaDB only. STRAIGHT_JOIN: left to
 * choose, MariaDB read the account's groups first and then every member of each, all the
 * memberships of the account for one page.
 */
async function groupsJoined(
  sql: SqlRunner,
  accountId: AccountId,
  userIds: readonly UserId[],
): Promise<Map<UserId, GroupRef[]>> {
  const byUser = new Map<UserId, NamedGroup[]>();
  for (const part of chunks(userIds)) {
    const rows = await sql.values(
      `SELECT gm.user_id, g.id, g.display_name, g.display_name_norm FROM group_members gm
         STRAIGHT_JOIN directory_groups g ON g.id = gm.group_id AND g.account_id = ?
        WHERE gm.user_id IN (${placeholders(part.length)})`,
      [accountId, ...part],
    );
    for (const [userId, id, displayName, norm] of rows) {
      addTo(byUser, userId as UserId, {
        ref: { id: id as string, displayName: displayName as string },
        norm: norm as string,
      });
    }
  }
  return sortedGroups(byUser);
}

/**
 * Each user's groups, ordered by name then id, in two steps: the memberships from the
 * (user_id, group_id) index alone, then the few distinct groups once each, of this account only.
 * On SQLite this costs a quarter of the join, which reads a group row per membership.
 * `pageIds`: `userIds` as a JSON array; a membership names its user by index in it.
 */
async function groupsApart(
  sql: SqlRunner,
  accountId: AccountId,
  userIds: readonly UserId[],
  pageIds: string,
): Promise<Map<UserId, GroupRef[]>> {
  const memberships = await sql.values(
    'SELECT j.key, gm.group_id FROM json_each(?) j JOIN group_members gm ON gm.user_id = j.value',
    [pageIds],
  );
  const groups = new Map<string, NamedGroup>();
  for (const part of chunks([...new Set(memberships.map((m) => m[1] as string))])) {
    const rows = await sql.values(
      `SELECT id, display_name, display_name_norm FROM directory_groups WHERE account_id = ? AND id IN (${placeholders(part.length)})`,
      [accountId, ...part],
    );
    for (const [id, displayName, norm] of rows) {
      groups.set(id as string, {
        ref: { id: id as string, displayName: displayName as string },
        norm: norm as string,
      });
    }
  }
  const byUser = new Map<UserId, NamedGroup[]>();
  for (const [index, groupId] of memberships) {
    const group = groups.get(groupId as string);
    if (group) addTo(byUser, userIds[index as number], group);
  }
  return sortedGroups(byUser);
}
