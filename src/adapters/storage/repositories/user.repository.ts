import type { SqlRunner } from '../sql-runner';
import type { RoleSource } from '../../../domain/access/effective-role';
import { DomainError } from '../../../domain/errors';
import type { AccountId, UserId } from '../../../domain/ids';
import type { UserRepository, UserTombstone } from '../../../domain/ports';
import type { ListQuery, Page, UserCollection, UserField } from '../../../domain/query';
import {
  normalizeUserName,
  primaryEmail,
  type GroupRef,
  type User,
  type UserEmail,
  type UserView,
} from '../../../domain/users/user';
import { mfaRequirementFor } from '../../../domain/mfa/mfa-policy';
import { normalizeCaseInsensitive } from '../../../domain/text';
import { translatingUniqueKeys } from '../db-errors';
import {
  emailDisplayColumn,
  profileCollectionSpecs,
  profileFieldColumns,
  writeAttributeIndex,
} from './user-attribute-index';
import { bool, chunks, column, listRows, lookupGrouped, num, placeholders, type TableSpec } from './sql';

/** How each filterable user field and collection maps to indexed columns. */
const userTable: TableSpec = {
  table: 'users',
  alias: 'u',
  fields: {
    id: column('u.id', 'ce'),
    userName: column('u.user_name_norm', 'ci'),
    externalId: column('u.external_id', 'ce'),
    displayName: column('u.display_name_norm', 'ci'),
    givenName: column('u.given_name_norm', 'ci'),
    familyName: column('u.family_name_norm', 'ci'),
    employeeNumber: column('u.employee_number', 'ce'),
    managerId: column('u.manager_id', 'ce'),
    primaryEmail: column('u.primary_email_norm', 'ci'),
    active: column('u.active', 'bool'),
    created: column('u.created_at', 'time'),
    lastModified: column('u.last_modified', 'time'),
    managerDisplayName: {
      column: 'm.display_name_norm',
      kind: 'ci' as const,
      exists: 'SELECT 1 FROM users m WHERE m.account_id = u.account_id AND m.id = u.manager_id',
    },
    ...profileFieldColumns,
  } satisfies Record<UserField, unknown>,
  collections: {
    emails: {
      from: 'SELECT 1 FROM user_emails e WHERE e.user_id = u.id',
      fields: {
        value: column('e.value_norm', 'ci'),
        type: column('e.type_norm', 'ci'),
        primary: column('e.is_primary', 'bool'),
        display: emailDisplayColumn,
      },
    },
    groups: {
      from: 'SELECT 1 FROM group_members gm JOIN directory_groups g ON g.id = gm.group_id WHERE gm.user_id = u.id',
      fields: { value: column('gm.group_id', 'ce'), display: column('g.display_name_norm', 'ci') },
    },
    ...profileCollectionSpecs,
  } satisfies Record<UserCollection, unknown>,
};

/** The `_norm` copy of a case-insensitive value: the same key filters compare with (domain/text.ts). */
const norm = (value: string | null): string | null =>
  value === null ? null : normalizeCaseInsensitive(value);

export class UserRepositorySql implements UserRepository {
  constructor(private readonly sql: SqlRunner) {}

  async insert(user: User): Promise<void> {
    const row = toRow(user);
    const names = Object.keys(row);
    await this.translate(user, () =>
      this.sql.run(
        `INSERT INTO users (${names.join(', ')}) VALUES (${placeholders(names.length)})`,
        Object.values(row),
      ),
    );
    await this.writeEmails(user);
    await writeAttributeIndex(this.sql, user, false);
  }

  async update(user: User): Promise<boolean> {
    const row = toRow(user);
    const names = Object.keys(row).filter((n) => n !== 'id' && n !== 'account_id');
    const changed = await this.translate(user, () =>
      this.sql.run(
        `UPDATE users SET ${names.map((n) => `${n} = ?`).join(', ')} WHERE account_id = ? AND id = ? AND version = ?`,
        [...names.map((n) => row[n]), user.accountId, user.id, user.version - 1],
      ),
    );
    if (changed === 0) return false;
    await this.sql.run('DELETE FROM user_emails WHERE user_id = ?', [user.id]);
    await this.writeEmails(user);
    await writeAttributeIndex(this.sql, user, true);
    return true;
  }

  async delete(accountId: AccountId, userId: UserId): Promise<void> {
    await this.sql.run('DELETE FROM users WHERE account_id = ? AND id = ?', [accountId, userId]);
  }

  async get(accountId: AccountId, userId: UserId): Promise<User | null> {
    const rows = await this.sql.all('SELECT * FROM users WHERE account_id = ? AND id = ?', [
      accountId,
      userId,
    ]);
    return rows.length === 0 ? null : fromRow(rows[0]);
  }

  async getView(accountId: AccountId, userId: UserId): Promise<UserView | null> {
    const rows = await this.sql.all<
      Record<string, unknown> & { group_id: string | null; group_name: string | null }
    >(
      `SELECT u.*, g.id AS group_id, g.display_name AS group_name, ur.role_key AS r_role_key,
              ur.source AS r_source, ur.source_group_id AS r_group_id, rg.display_name AS r_group_name,
              mp.required AS mp_required, mp.role_keys AS mp_role_keys
         FROM users u
         LEFT JOIN group_members gm ON gm.user_id = u.id
         LEFT JOIN directory_groups g ON g.id = gm.group_id
         LEFT JOIN user_roles ur ON ur.user_id = u.id
         LEFT JOIN directory_groups rg ON rg.id = ur.source_group_id
         LEFT JOIN account_mfa_policies mp ON mp.account_id = u.account_id
        WHERE u.account_id = ? AND u.id = ? ORDER BY g.display_name_norm, g.id`,
      [accountId, userId],
    );
    if (rows.length === 0) return null;
    const groups = rows
      .filter((row) => row.group_id !== null)
      .map((row) => ({ id: row.group_id as string, displayName: row.group_name as string }));
    const first = rows[0];
    const role = {
      roleKey: (first.r_role_key as string | null) ?? null,
      source: (first.r_source as RoleSource | null) ?? null,
      groupId: (first.r_group_id as string | null) ?? null,
      groupName: (first.r_group_name as string | null) ?? null,
    };
    const user = fromRow(first);
    // The MFA state in the same statement: this is the hottest read (no policy row: the default).
    const mfaPolicy = {
      required: first.mp_required === null ? false : bool(first.mp_required),
      roleKeys: first.mp_role_keys === null ? [] : (JSON.parse(first.mp_role_keys as string) as string[]),
    };
    return { user, groups, role, mfa: mfaRequirementFor(mfaPolicy, role.roleKey, user.mfaRequired) };
  }

  async findByExternalId(accountId: AccountId, externalId: string): Promise<User | null> {
    const rows = await this.sql.all('SELECT * FROM users WHERE account_id = ? AND external_id = ?', [
      accountId,
      externalId,
    ]);
    return rows.length === 0 ? null : fromRow(rows[0]);
  }

  async findByUserName(accountId: AccountId, userName: string): Promise<User | null> {
    const rows = await this.sql.all('SELECT * FROM users WHERE account_id = ? AND user_name_norm = ?', [
      accountId,
      normalizeUserName(userName),
    ]);
    return rows.length === 0 ? null : fromRow(rows[0]);
  }

  async reportsOf(accountId: AccountId, managerId: UserId): Promise<User[]> {
    const rows = await this.sql.all('SELECT * FROM users WHERE account_id = ? AND manager_id = ?', [
      accountId,
      managerId,
    ]);
    return rows.map(fromRow);
  }

  async bury(t: UserTombstone): Promise<void> {
    await this.sql.run(
      `INSERT INTO user_tombstones (user_id, account_id, user_name, external_id, employee_number, deleted_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
      [t.userId, t.accountId, t.userName, t.externalId, t.employeeNumber, t.deleted],
    );
  }

  async findTombstone(
    accountId: AccountId,
    externalId: string | null,
    employeeNumber: string | null,
  ): Promise<UserTombstone | null> {
    for (const [column, value] of [
      ['external_id', externalId],
      ['employee_number', employeeNumber],
    ] as const) {
      if (value === null) continue;
      const rows = await this.sql.all<Record<string, unknown>>(
        `SELECT * FROM user_tombstones WHERE account_id = ? AND ${column} = ? ORDER BY deleted_at DESC LIMIT 1`,
        [accountId, value],
      );
      if (rows.length) return toTombstone(rows[0]);
    }
    return null;
  }

  async getTombstone(accountId: AccountId, userId: UserId): Promise<UserTombstone | null> {
    const rows = await this.sql.all<Record<string, unknown>>(
      'SELECT * FROM user_tombstones WHERE account_id = ? AND user_id = ?',
      [accountId, userId],
    );
    return rows.length ? toTombstone(rows[0]) : null;
  }

  async removeTombstone(accountId: AccountId, userId: UserId): Promise<void> {
    await this.sql.run('DELETE FROM user_tombstones WHERE account_id = ? AND user_id = ?', [
      accountId,
      userId,
    ]);
  }

  async namesOf(accountId: AccountId, ids: readonly string[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const part of chunks([...new Set(ids)])) {
      const rows = await this.sql.all<{ id: string; user_name: string }>(
        `SELECT id, user_name FROM users WHERE account_id = ? AND id IN (${placeholders(part.length)})
         UNION ALL
         SELECT user_id AS id, user_name FROM user_tombstones WHERE account_id = ? AND user_id IN (${placeholders(part.length)})`,
        [accountId, ...part, accountId, ...part],
      );
      for (const row of rows) names.set(row.id, row.user_name);
    }
    return names;
  }

  async countActive(accountId: AccountId): Promise<number> {
    const rows = await this.sql.all<{ n: unknown }>(
      'SELECT COUNT(*) AS n FROM users WHERE account_id = ? AND active = ?',
      [accountId, true],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async existing(accountId: AccountId, ids: readonly UserId[]): Promise<Set<UserId>> {
    const found = new Set<UserId>();
    for (const part of chunks([...new Set(ids)])) {
      const rows = await this.sql.all<{ id: UserId }>(
        `SELECT id FROM users WHERE account_id = ? AND id IN (${placeholders(part.length)})`,
        [accountId, ...part],
      );
      for (const row of rows) found.add(row.id);
    }
    return found;
  }

  async list(accountId: AccountId, query: ListQuery<UserField, UserCollection>): Promise<Page<User>> {
    const { total, rows } = await listRows(this.sql, userTable, accountId, query);
    return { total, items: rows.map(fromRow) };
  }

  async groupsOf(accountId: AccountId, userIds: readonly UserId[]): Promise<Map<UserId, GroupRef[]>> {
    return lookupGrouped(
      userIds,
      (part) =>
        this.sql.all<{ user_id: UserId; id: string; display_name: string }>(
          `SELECT gm.user_id, g.id, g.display_name FROM group_members gm JOIN directory_groups g ON g.id = gm.group_id
            WHERE gm.account_id = ? AND gm.user_id IN (${placeholders(part.length)}) ORDER BY g.display_name_norm, g.id`,
          [accountId, ...part],
        ),
      (row) => row.user_id,
      (row) => ({ id: row.id, displayName: row.display_name }),
    );
  }

  private async writeEmails(user: User): Promise<void> {
    if (user.emails.length === 0) return;
    const values = user.emails.flatMap((e, position) => [
      user.id,
      position,
      user.accountId,
      normalizeCaseInsensitive(e.value),
      norm(e.type),
      e.primary,
    ]);
    await this.sql.run(
      `INSERT INTO user_emails (user_id, position, account_id, value_norm, type_norm, is_primary) VALUES
       ${user.emails.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
      values,
    );
  }

  private translate<T>(user: User, write: () => Promise<T>): Promise<T> {
    return translatingUniqueKeys(
      write,
      {
        external_id: () =>
          DomainError.conflict('user.external_id_taken', `externalId "${user.externalId}" is already in use`),
      },
      () => DomainError.conflict('user.user_name_taken', `userName "${user.userName}" is already in use`),
    );
  }
}

function toRow(user: User): Record<string, unknown> {
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
  return {
    id: row.id as UserId,
    accountId: row.account_id as AccountId,
    userName: row.user_name as string,
    externalId: (row.external_id as string | null) ?? null,
    active: bool(row.active),
    displayName: (row.display_name as string | null) ?? null,
    givenName: (row.given_name as string | null) ?? null,
    familyName: (row.family_name as string | null) ?? null,
    employeeNumber: (row.employee_number as string | null) ?? null,
    managerId: (row.manager_id as UserId | null) ?? null,
    emails: JSON.parse(row.emails as string) as UserEmail[],
    profile: JSON.parse(row.profile as string) as Record<string, unknown>,
    version: num(row.version),
    created: num(row.created_at),
    lastModified: num(row.last_modified),
    homeUserId: (row.home_user_id as UserId | null | undefined) ?? null,
    mfaRequired: row.mfa_required === null || row.mfa_required === undefined ? null : bool(row.mfa_required),
  };
}

function toTombstone(row: Record<string, unknown>): UserTombstone {
  return {
    userId: row.user_id as UserId,
    accountId: row.account_id as AccountId,
    userName: row.user_name as string,
    externalId: (row.external_id as string | null) ?? null,
    employeeNumber: (row.employee_number as string | null) ?? null,
    deleted: num(row.deleted_at),
  };
}
