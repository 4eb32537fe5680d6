import type { Dialect } from '../dialect';
import type { SqlRunner } from '../sql-runner';
import { DomainError } from '../../../domain/errors';
import type { AccountId, UserId } from '../../../domain/ids';
import type { UserRepository, UserTombstone } from '../../../domain/ports';
import type { ListQuery, Page, UserCollection, UserField } from '../../../domain/query';
import { normalizeUserName, type User, type UserView } from '../../../domain/users/user';
import { normalizeCaseInsensitive } from '../../../domain/text';
import { translatingUniqueKeys } from '../db-errors';
import {
  emailDisplayColumn,
  profileCollectionSpecs,
  profileFieldColumns,
  writeAttributeIndex,
} from './user-attribute-index';
import { chunks, column, placeholders, type TableSpec } from './sql';
import { fromRow, norm, shownColumns, toRow, toTombstone } from './user-rows';
import { uniqueMatchPage, viewById } from './user-view-rows';
import { listUserViews } from './user-views';

export { fromRow } from './user-rows';

/** How each filterable user field and collection maps to indexed columns; a page reads views. */
const userTable: TableSpec = {
  table: 'users',
  alias: 'u',
  columns: shownColumns,
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

export class UserRepositorySql implements UserRepository {
  constructor(
    private readonly sql: SqlRunner,
    private readonly dialect: Dialect,
  ) {}

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

  getView(accountId: AccountId, userId: UserId): Promise<UserView | null> {
    return viewById(this.sql, accountId, userId);
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

  async accountOf(userId: UserId): Promise<AccountId | null> {
    const rows = await this.sql.all('SELECT account_id FROM users WHERE id = ?', [userId]);
    return rows.length ? (rows[0].account_id as AccountId) : null;
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

  /** A page of users as the SCIM list shows them (user-views.ts). */
  async listViews(
    accountId: AccountId,
    query: ListQuery<UserField, UserCollection>,
  ): Promise<Page<UserView>> {
    return (
      (await uniqueMatchPage(this.sql, userTable, accountId, query)) ??
      listUserViews(this.sql, this.dialect, userTable, accountId, query)
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
