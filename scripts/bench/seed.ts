/**
 * Fast seeding by SQL: multi-row INSERTs inside transactions, writing the rows exactly as
 * src/adapters/storage/repositories/user.repository.ts does (same columns, lowercased `_norm`
 * columns, JSON `emails` and `profile`, ids from the same time-ordered generator), so that the
 * server reads them as its own. Each user also gets the user_roles row that provisioning writes
 * (RoleRecomputer: no role, as an account without a default role gives), so role recomputes
 * update existing rows, as they do in production.
 */
import type { DataSource, QueryRunner } from 'typeorm';
import { uuidGenerator } from '../../src/adapters/crypto/secrets';

/** Rows per INSERT statement (users: 20 columns, so 10,000 parameters) and per transaction. */
const rowsPerStatement = 500;
const rowsPerTransaction = 20_000;

export interface SeededUsers {
  ids: string[];
  userNames: string[];
}

/** userName as a person would type it, mixed case, so that case-insensitive lookups matter. */
export function benchUserName(label: string, index: number): string {
  return `Bench.User${String(index).padStart(6, '0')}@${label}.Example.test`;
}

/** The users row and its user_emails rows, column for column as UserRepositorySql.insert writes them. */
function userRows(accountId: string, label: string, index: number, now: number) {
  const id = uuidGenerator.newId();
  const userName = benchUserName(label, index);
  const givenName = 'Bench';
  const familyName = `User${index}`;
  const displayName = `Bench User ${index}`;
  const externalId = `${label}-${index}`;
  const emails = [{ value: userName, type: 'work', primary: true }];
  // The profile as the SCIM adapter stores a POSTed user (key order as scimmy emits it).
  const profile = {
    externalId,
    userName,
    name: { familyName, givenName },
    displayName,
    active: true,
    emails,
  };
  const user = [
    id, // id
    accountId, // account_id
    userName, // user_name
    userName.trim().toLowerCase(), // user_name_norm (normalizeUserName)
    externalId, // external_id
    true, // active
    displayName, // display_name
    displayName.toLowerCase(), // display_name_norm
    givenName, // given_name
    givenName.toLowerCase(), // given_name_norm
    familyName, // family_name
    familyName.toLowerCase(), // family_name_norm
    null, // employee_number
    null, // manager_id
    userName.toLowerCase(), // primary_email_norm
    JSON.stringify(emails), // emails
    JSON.stringify(profile), // profile
    1, // version
    now, // created_at
    now, // last_modified
  ];
  const email = [id, 0, accountId, userName.toLowerCase(), 'work', true];
  // As RoleRepositorySql.save writes the role of a new user in an account without a default role.
  const role = [null, null, null, null, now, id, accountId];
  return { id, userName, user, email, role };
}

const userColumns =
  'id, account_id, user_name, user_name_norm, external_id, active, display_name, display_name_norm, ' +
  'given_name, given_name_norm, family_name, family_name_norm, employee_number, manager_id, ' +
  'primary_email_norm, emails, profile, version, created_at, last_modified';
const emailColumns = 'user_id, position, account_id, value_norm, type_norm, is_primary';
const roleColumns = 'role_key, source, source_group_id, manual_role_key, updated_at, user_id, account_id';

function valuesList(rows: number, columns: number): string {
  const one = `(${new Array(columns).fill('?').join(', ')})`;
  return new Array(rows).fill(one).join(', ');
}

async function insertRows(
  runner: QueryRunner,
  table: string,
  columns: string,
  rows: unknown[][],
): Promise<void> {
  for (let i = 0; i < rows.length; i += rowsPerStatement) {
    const part = rows.slice(i, i + rowsPerStatement);
    await runner.query(
      `INSERT INTO ${table} (${columns}) VALUES ${valuesList(part.length, part[0].length)}`,
      part.flat(),
    );
  }
}

async function inTransaction(
  dataSource: DataSource,
  work: (runner: QueryRunner) => Promise<void>,
): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.startTransaction();
    try {
      await work(runner);
      await runner.commitTransaction();
    } catch (err) {
      await runner.rollbackTransaction();
      throw err;
    }
  } finally {
    await runner.release();
  }
}

/** Inserts `count` users (indexes from..from+count-1) with one work email and no role each. */
export async function seedUsers(
  dataSource: DataSource,
  accountId: string,
  label: string,
  count: number,
  from = 0,
): Promise<SeededUsers> {
  const ids: string[] = [];
  const userNames: string[] = [];
  const now = Date.now();
  for (let start = 0; start < count; start += rowsPerTransaction) {
    const users: unknown[][] = [];
    const emails: unknown[][] = [];
    const roles: unknown[][] = [];
    for (let i = start; i < Math.min(count, start + rowsPerTransaction); i++) {
      const row = userRows(accountId, label, from + i, now);
      ids.push(row.id);
      userNames.push(row.userName);
      users.push(row.user);
      emails.push(row.email);
      roles.push(row.role);
    }
    await inTransaction(dataSource, async (runner) => {
      await insertRows(runner, 'users', userColumns, users);
      await insertRows(runner, 'user_emails', emailColumns, emails);
      await insertRows(runner, 'user_roles', roleColumns, roles);
    });
  }
  return { ids, userNames };
}

/** Adds memberships as GroupRepositorySql.addMembers writes them (group_id, user_id, account_id). */
export async function seedMembers(
  dataSource: DataSource,
  accountId: string,
  groupId: string,
  userIds: readonly string[],
): Promise<void> {
  for (let start = 0; start < userIds.length; start += rowsPerTransaction) {
    const rows = userIds
      .slice(start, start + rowsPerTransaction)
      .map((userId) => [groupId, userId, accountId]);
    await inTransaction(dataSource, (runner) =>
      insertRows(runner, 'group_members', 'group_id, user_id, account_id', rows),
    );
  }
}

/** Group rows as GroupRepositorySql.insert writes them; returns their ids. */
export async function seedGroupRows(
  dataSource: DataSource,
  accountId: string,
  label: string,
  count: number,
): Promise<string[]> {
  const now = Date.now();
  const rows = Array.from({ length: count }, (_, g) => {
    const displayName = `Bench ${label} group ${String(g).padStart(4, '0')}`;
    return [
      uuidGenerator.newId(),
      accountId,
      displayName,
      displayName.toLowerCase(),
      `${label}-group-${g}`,
      1,
      now,
      now,
    ];
  });
  await inTransaction(dataSource, (runner) =>
    insertRows(
      runner,
      'directory_groups',
      'id, account_id, display_name, display_name_norm, external_id, version, created_at, last_modified',
      rows,
    ),
  );
  return rows.map((row) => row[0] as string);
}

/** Memberships (group id, user id) of one account, 20,000 a transaction. */
export async function seedMemberships(
  dataSource: DataSource,
  accountId: string,
  memberships: readonly (readonly [string, string])[],
): Promise<void> {
  for (let start = 0; start < memberships.length; start += rowsPerTransaction) {
    const rows = memberships
      .slice(start, start + rowsPerTransaction)
      .map(([groupId, userId]) => [groupId, userId, accountId]);
    await inTransaction(dataSource, (runner) =>
      insertRows(runner, 'group_members', 'group_id, user_id, account_id', rows),
    );
  }
}
