import type { SqlRunner } from '../sql-runner';
import { DomainError } from '../../../domain/errors';
import { normalizeDisplayName, type Group, type GroupMember } from '../../../domain/groups/group';
import type { AccountId, GroupId, UserId } from '../../../domain/ids';
import type { GroupRepository } from '../../../domain/ports';
import type { GroupField, ListQuery, Page } from '../../../domain/query';
import { translatingUniqueKeys } from '../db-errors';
import { insertIgnore, type Dialect } from '../dialect';
import { column, listRows, lookupGrouped, num, placeholders, type TableSpec } from './sql';

/** The columns a Group is read from, in the order fromValues takes them. */
const groupColumns = [
  'id',
  'account_id',
  'display_name',
  'external_id',
  'version',
  'created_at',
  'last_modified',
] as const;

const groupTable: TableSpec = {
  table: 'directory_groups',
  alias: 'g',
  columns: groupColumns,
  fields: {
    id: column('g.id', 'ce'),
    displayName: column('g.display_name_norm', 'ci'),
    externalId: column('g.external_id', 'ce'),
    created: column('g.created_at', 'time'),
    lastModified: column('g.last_modified', 'time'),
  } satisfies Record<GroupField, unknown>,
  collections: {
    members: {
      from: 'SELECT 1 FROM group_members gm JOIN users mu ON mu.id = gm.user_id WHERE gm.group_id = g.id',
      fields: { value: column('gm.user_id', 'ce'), display: column('mu.user_name_norm', 'ci') },
    },
  },
};

export class GroupRepositorySql implements GroupRepository {
  constructor(
    private readonly sql: SqlRunner,
    private readonly dialect: Dialect,
  ) {}

  async insert(group: Group): Promise<void> {
    await this.translate(group, () =>
      this.sql.run(
        `INSERT INTO directory_groups (id, account_id, display_name, display_name_norm, external_id, version, created_at,
           last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          group.id,
          group.accountId,
          group.displayName,
          normalizeDisplayName(group.displayName),
          group.externalId,
          group.version,
          group.created,
          group.lastModified,
        ],
      ),
    );
  }

  async update(group: Group): Promise<boolean> {
    const changed = await this.translate(group, () =>
      this.sql.run(
        `UPDATE directory_groups SET display_name = ?, display_name_norm = ?, external_id = ?, version = ?, last_modified = ?
          WHERE account_id = ? AND id = ? AND version = ?`,
        [
          group.displayName,
          normalizeDisplayName(group.displayName),
          group.externalId,
          group.version,
          group.lastModified,
          group.accountId,
          group.id,
          group.version - 1,
        ],
      ),
    );
    return changed > 0;
  }

  async delete(accountId: AccountId, groupId: GroupId): Promise<void> {
    await this.sql.run('DELETE FROM directory_groups WHERE account_id = ? AND id = ?', [accountId, groupId]);
  }

  async get(
    accountId: AccountId,
    groupId: GroupId,
    options: { forUpdate?: boolean } = {},
  ): Promise<Group | null> {
    const lock = options.forUpdate && this.dialect === 'mysql' ? ' FOR UPDATE' : '';
    const rows = await this.sql.all(`SELECT * FROM directory_groups WHERE account_id = ? AND id = ?${lock}`, [
      accountId,
      groupId,
    ]);
    return rows.length === 0 ? null : fromRow(rows[0]);
  }

  async list(accountId: AccountId, query: ListQuery<GroupField, 'members'>): Promise<Page<Group>> {
    const { total, rows, edges } = await listRows(this.sql, groupTable, accountId, query);
    return { total, items: rows.map(fromValues), ...(edges ? { edges } : {}) };
  }

  async addMembers(accountId: AccountId, groupId: GroupId, userIds: readonly UserId[]): Promise<UserId[]> {
    const added: UserId[] = [];
    for (const userId of new Set(userIds)) {
      // One row each: the unique key absorbs repeats and the count says whether this one was new.
      const changed = await this.sql.run(
        `${insertIgnore(this.dialect)} INTO group_members (group_id, user_id, account_id) VALUES (?, ?, ?)`,
        [groupId, userId, accountId],
      );
      if (changed > 0) added.push(userId);
    }
    return added;
  }

  async removeMembers(accountId: AccountId, groupId: GroupId, userIds: readonly UserId[]): Promise<UserId[]> {
    const removed: UserId[] = [];
    for (const userId of new Set(userIds)) {
      const changed = await this.sql.run(
        'DELETE FROM group_members WHERE account_id = ? AND group_id = ? AND user_id = ?',
        [accountId, groupId, userId],
      );
      if (changed > 0) removed.push(userId);
    }
    return removed;
  }

  async memberIds(accountId: AccountId, groupId: GroupId): Promise<UserId[]> {
    const rows = await this.sql.all<{ user_id: UserId }>(
      'SELECT user_id FROM group_members WHERE account_id = ? AND group_id = ?',
      [accountId, groupId],
    );
    return rows.map((row) => row.user_id);
  }

  async members(accountId: AccountId, groupIds: readonly GroupId[]): Promise<Map<GroupId, GroupMember[]>> {
    return lookupGrouped(
      groupIds,
      (part) =>
        this.sql.all<{ group_id: GroupId; id: UserId; user_name: string }>(
          `SELECT gm.group_id, u.id, u.user_name FROM group_members gm JOIN users u ON u.id = gm.user_id
            WHERE gm.account_id = ? AND gm.group_id IN (${placeholders(part.length)}) ORDER BY u.user_name_norm, u.id`,
          [accountId, ...part],
        ),
      (row) => row.group_id,
      (row) => ({ userId: row.id, userName: row.user_name }),
    );
  }

  private translate<T>(group: Group, write: () => Promise<T>): Promise<T> {
    return translatingUniqueKeys(
      write,
      {
        external_id: () =>
          DomainError.conflict(
            'group.external_id_taken',
            `externalId "${group.externalId}" is already in use`,
          ),
      },
      () =>
        DomainError.conflict(
          'group.display_name_taken',
          `displayName "${group.displayName}" is already in use`,
        ),
    );
  }
}

function fromRow(row: Record<string, unknown>): Group {
  return fromValues(groupColumns.map((name) => row[name]));
}

function fromValues([
  id,
  accountId,
  displayName,
  externalId,
  version,
  created,
  lastModified,
]: unknown[]): Group {
  return {
    id: id as GroupId,
    accountId: accountId as AccountId,
    displayName: displayName as string,
    externalId: (externalId as string | null) ?? null,
    version: num(version),
    created: num(created),
    lastModified: num(lastModified),
  };
}
