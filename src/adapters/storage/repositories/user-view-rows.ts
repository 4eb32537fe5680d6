/**
 * A user's view (the user, their groups, role and the account's MFA policy) read in one
 * statement: GET by id, and a filter that can match one user at most (the IdP's lookup by
 * userName or externalId before it creates someone).
 */
import type { RoleSource } from '../../../domain/access/effective-role';
import type { AccountId, UserId } from '../../../domain/ids';
import { mfaRequirementFor } from '../../../domain/mfa/mfa-policy';
import type { Condition, ListQuery, UserCollection, UserField } from '../../../domain/query';
import type { UserView } from '../../../domain/users/user';
import { conditionToSql } from '../condition-sql';
import type { SqlRunner } from '../sql-runner';
import type { TableSpec } from './sql';
import { shownColumns, shownFromValues } from './user-rows';
import { inGroupOrder, policyOf, type NamedGroup } from './user-views';

const viewColumns = shownColumns.map((name) => `u.${name}`).join(', ');

/**
 * Values, not objects, and the columns named: the hottest read, where building a 30-key object
 * per row cost a third of the statement on SQLite. One row per group of the user. The groups are
 * ordered here, not by ORDER BY: MariaDB sorts this join's rows, text columns and all, through an
 * on-disk temporary table, which tripled the statement's cost on the server (docs/benchmarks.md).
 */
function viewStatement(where: string): string {
  return `SELECT ${viewColumns}, g.id AS group_id, g.display_name AS group_name, ur.role_key AS r_role_key,
              ur.source AS r_source, ur.source_group_id AS r_group_id, rg.display_name AS r_group_name,
              mp.required AS mp_required, mp.role_keys AS mp_role_keys, g.display_name_norm AS group_norm
         FROM users u
         LEFT JOIN group_members gm ON gm.user_id = u.id
         LEFT JOIN directory_groups g ON g.id = gm.group_id
         LEFT JOIN user_roles ur ON ur.user_id = u.id
         LEFT JOIN directory_groups rg ON rg.id = ur.source_group_id
         LEFT JOIN account_mfa_policies mp ON mp.account_id = u.account_id
        WHERE u.account_id = ? AND ${where}`;
}

/** The views in the rows of `viewStatement`, in the order their users first appear. */
function viewsOf(rows: unknown[][]): UserView[] {
  const w = shownColumns.length;
  const byUser = new Map<UserId, { first: unknown[]; groups: NamedGroup[] }>();
  for (const row of rows) {
    const id = row[0] as UserId;
    let entry = byUser.get(id);
    if (!entry) byUser.set(id, (entry = { first: row, groups: [] }));
    if (row[w] !== null) {
      entry.groups.push({
        ref: { id: row[w] as string, displayName: row[w + 1] as string },
        norm: row[w + 8] as string,
      });
    }
  }
  return [...byUser.values()].map(({ first, groups }) => {
    const role = {
      roleKey: (first[w + 2] as string | null) ?? null,
      source: (first[w + 3] as RoleSource | null) ?? null,
      groupId: (first[w + 4] as string | null) ?? null,
      groupName: (first[w + 5] as string | null) ?? null,
    };
    const user = shownFromValues(first);
    // No policy row: the default.
    const mfaPolicy = policyOf(first[w + 6], first[w + 7]);
    return {
      user,
      groups: inGroupOrder(groups),
      role,
      mfa: mfaRequirementFor(mfaPolicy, role.roleKey, user.mfaRequired),
    };
  });
}

export async function viewById(
  sql: SqlRunner,
  accountId: AccountId,
  userId: UserId,
): Promise<UserView | null> {
  const [view] = viewsOf(await sql.values(viewStatement('u.id = ?'), [accountId, userId]));
  return view ?? null;
}

/** Fields with a unique index per account: `eq` on one of them matches one user at most. */
const uniqueFields: ReadonlySet<string> = new Set<UserField>(['id', 'userName', 'externalId']);

function matchesOneAtMost(where: Condition<UserField, UserCollection> | undefined): boolean {
  return (
    where?.kind === 'compare' &&
    where.op === 'eq' &&
    uniqueFields.has(where.field) &&
    typeof where.value === 'string'
  );
}

/**
 * The first page of a filter that matches one user at most, in one statement: no page of ids,
 * no COUNT (the total is the rows found), no second read for the groups. Undefined for any other
 * query, which reads as a page.
 */
export async function uniqueMatchPage(
  sql: SqlRunner,
  table: TableSpec,
  accountId: AccountId,
  query: ListQuery<UserField, UserCollection>,
): Promise<{ total: number; items: UserView[] } | undefined> {
  if (query.keyset || query.offset !== 0 || query.limit === 0 || !matchesOneAtMost(query.where)) {
    return undefined;
  }
  const where = conditionToSql(query.where!, table.fields, table.collections);
  const items = viewsOf(await sql.values(viewStatement(`(${where.sql})`), [accountId, ...where.params]));
  return { total: items.length, items };
}
