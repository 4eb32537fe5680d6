import type { MappedRole, RoleSource } from '../../../domain/access/effective-role';
import { noOverrides, type PermissionOverrides } from '../../../domain/access/permissions';
import { DomainError } from '../../../domain/errors';
import type { AccountId, UserId } from '../../../domain/ids';
import type {
  GroupMatchKind,
  RoleMapping,
  RoleRepository,
  SavedRole,
  StoredRole,
  UserAccess,
} from '../../../domain/ports';
import { translatingUniqueKeys } from '../db-errors';
import type { SqlRunner } from '../sql-runner';
import { bool, chunks, num, placeholders } from './sql';
import { normalizeUserName } from '../../../domain/users/user';
import { normalizeDisplayName } from '../../../domain/groups/group';

/** A mapping matches a group by id, by externalId (both case-exact) or by displayName (case-insensitive). */
const groupMatches = `(
  (m.match_kind = 'id' AND m.match_value = g.id) OR
  (m.match_kind = 'externalId' AND m.match_value = g.external_id) OR
  (m.match_kind = 'displayName' AND m.match_value = g.display_name_norm))`;

const stored = (kind: GroupMatchKind, value: string) =>
  kind === 'displayName' ? normalizeDisplayName(value) : value;

export class RoleRepositorySql implements RoleRepository {
  constructor(private readonly sql: SqlRunner) {}

  async insertMapping(mapping: RoleMapping): Promise<void> {
    await translatingUniqueKeys(
      () =>
        this.sql.run(
          `INSERT INTO role_mappings (id, account_id, match_kind, match_value, role_key, created_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
          [
            mapping.id,
            mapping.accountId,
            mapping.matchKind,
            stored(mapping.matchKind, mapping.matchValue),
            mapping.roleKey,
            mapping.created,
          ],
        ),
      {},
      () =>
        DomainError.conflict(
          'mapping.group_already_mapped',
          `The group ${mapping.matchKind} "${mapping.matchValue}" is already mapped to a role; remove that mapping first`,
        ),
    );
  }

  async getMapping(accountId: AccountId, mappingId: string): Promise<RoleMapping | null> {
    const rows = await this.sql.all('SELECT * FROM role_mappings WHERE account_id = ? AND id = ?', [
      accountId,
      mappingId,
    ]);
    return rows.length === 0 ? null : toMapping(rows[0]);
  }

  async deleteMapping(accountId: AccountId, mappingId: string): Promise<void> {
    await this.sql.run('DELETE FROM role_mappings WHERE account_id = ? AND id = ?', [accountId, mappingId]);
  }

  async setMappingRole(accountId: AccountId, mappingId: string, roleKey: string): Promise<void> {
    await this.sql.run('UPDATE role_mappings SET role_key = ? WHERE account_id = ? AND id = ?', [
      roleKey,
      accountId,
      mappingId,
    ]);
  }

  async listMappings(accountId: AccountId): Promise<RoleMapping[]> {
    const rows = await this.sql.all(
      'SELECT * FROM role_mappings WHERE account_id = ? ORDER BY created_at, id',
      [accountId],
    );
    return rows.map(toMapping);
  }

  async membersMatching(
    accountId: AccountId,
    mapping: Pick<RoleMapping, 'matchKind' | 'matchValue'>,
  ): Promise<UserId[]> {
    const column = { id: 'g.id', externalId: 'g.external_id', displayName: 'g.display_name_norm' }[
      mapping.matchKind
    ];
    const rows = await this.sql.all<{ user_id: UserId }>(
      `SELECT DISTINCT gm.user_id FROM directory_groups g JOIN group_members gm ON gm.group_id = g.id
        WHERE g.account_id = ? AND ${column} = ?`,
      [accountId, stored(mapping.matchKind, mapping.matchValue)],
    );
    return rows.map((row) => row.user_id);
  }

  async mappedRoles(accountId: AccountId, userIds: readonly UserId[]): Promise<Map<UserId, MappedRole[]>> {
    const result = new Map<UserId, MappedRole[]>();
    if (userIds.length === 0) return result;
    // An account's mapped groups are few: find them once, then only the users' memberships per
    // chunk, by the (user_id, group_id) index. Joining the mappings in every chunk cost 45 ms a
    // chunk on MariaDB, 18 s of a 100,000-member recompute (docs/benchmarks.md).
    const mapped = await this.sql.all<{ group_id: string; display_name: string; role_key: string }>(
      `SELECT g.id AS group_id, g.display_name, m.role_key
         FROM role_mappings m JOIN directory_groups g ON g.account_id = m.account_id AND ${groupMatches}
        WHERE m.account_id = ?`,
      [accountId],
    );
    if (mapped.length === 0) return result;
    const rolesOfGroup = new Map<string, MappedRole[]>();
    for (const row of mapped) {
      const role = { roleKey: row.role_key, groupId: row.group_id, groupName: row.display_name };
      rolesOfGroup.set(row.group_id, [...(rolesOfGroup.get(row.group_id) ?? []), role]);
    }
    for (const part of chunks(userIds)) {
      const memberships = await this.sql.all<{ user_id: UserId; group_id: string }>(
        `SELECT user_id, group_id FROM group_members
          WHERE account_id = ? AND user_id IN (${placeholders(part.length)})`,
        [accountId, ...part],
      );
      for (const { user_id, group_id } of memberships) {
        const roles = rolesOfGroup.get(group_id);
        if (roles) result.set(user_id, [...(result.get(user_id) ?? []), ...roles]);
      }
    }
    return result;
  }

  async stored(accountId: AccountId, userIds: readonly UserId[]): Promise<Map<UserId, StoredRole>> {
    const result = new Map<UserId, StoredRole>();
    for (const part of chunks(userIds)) {
      // Rows are found by their primary key (user_id). Written as `r.account_id = ?`, SQLite's
      // planner prefers the (account_id, role_key) index once the IN list has 4 or more ids, and
      // then reads every role row of the account for each chunk: 200 scans of 100,000 rows to
      // recompute a 100,000-member group. COALESCE (account_id is NOT NULL, so it is the same
      // test) keeps the account check off that index, on both dialects.
      const rows = await this.sql.all<Record<string, string | null>>(
        `SELECT r.*, g.display_name AS group_name FROM user_roles r
           LEFT JOIN directory_groups g ON g.id = r.source_group_id
          WHERE r.user_id IN (${placeholders(part.length)}) AND COALESCE(r.account_id, '') = ?`,
        [...part, accountId],
      );
      for (const row of rows) result.set(row.user_id as UserId, toStoredRole(row));
    }
    return result;
  }

  async accessOf(
    accountId: AccountId,
    user: { id: UserId } | { userName: string },
  ): Promise<UserAccess | null> {
    // The authorization hot path: the user and their role row in one statement, no JSON profile,
    // as values (no object per row). A managed user of a child account is usable only while its
    // home user is active.
    const [column, value] =
      'id' in user ? ['u.id', user.id] : ['u.user_name_norm', normalizeUserName(user.userName)];
    const rows = await this.sql.values(
      `SELECT u.id, u.active, u.home_user_id, h.active AS home_active,
              r.role_key, r.override_mode, r.granted, r.restricted
         FROM users u LEFT JOIN user_roles r ON r.user_id = u.id
         LEFT JOIN users h ON h.id = u.home_user_id
        WHERE u.account_id = ? AND ${column} = ?`,
      [accountId, value],
    );
    if (rows.length === 0) return null;
    const [userId, active, homeUserId, homeActive, roleKey, mode, granted, restricted] = rows[0];
    return {
      userId: userId as UserId,
      active: bool(active) && (homeUserId === null || bool(homeActive)),
      roleKey: (roleKey as string | null) ?? null,
      overrides: overridesOf(mode, granted, restricted),
    };
  }

  async saveOverrides(
    accountId: AccountId,
    userId: UserId,
    overrides: PermissionOverrides,
    at: number,
  ): Promise<void> {
    const values = [
      overrides.mode,
      JSON.stringify(overrides.granted),
      JSON.stringify(overrides.restricted),
      at,
    ];
    const changed = await this.sql.run(
      'UPDATE user_roles SET override_mode = ?, granted = ?, restricted = ?, updated_at = ? WHERE user_id = ?',
      [...values, userId],
    );
    if (changed > 0) return;
    await this.sql.run(
      `INSERT INTO user_roles (override_mode, granted, restricted, updated_at, user_id, account_id)
       VALUES (?, ?, ?, ?, ?, ?)`,
      [...values, userId, accountId],
    );
  }

  async usersOf(accountId: AccountId): Promise<UserId[]> {
    const rows = await this.sql.all<{ id: UserId }>('SELECT id FROM users WHERE account_id = ?', [accountId]);
    return rows.map((row) => row.id);
  }

  async save(accountId: AccountId, userId: UserId, role: StoredRole, at: number): Promise<void> {
    await this.saveMany(accountId, [{ userId, role }], at);
  }

  /**
   * Update, else insert: the caller holds the account's write lock, so no one inserts in between.
   * Users whose new role is the same (a mapping change gives a whole group one role) share one
   * UPDATE per chunk of ids; the few without a row yet get one multi-row INSERT. The same SQL on
   * both dialects, no upsert syntax.
   */
  async saveMany(accountId: AccountId, roles: readonly SavedRole[], at: number): Promise<void> {
    for (const [values, userIds] of groupedByValues(roles, at)) {
      for (const part of chunks(userIds)) {
        const changed = await this.sql.run(
          `UPDATE user_roles SET role_key = ?, source = ?, source_group_id = ?, manual_role_key = ?, updated_at = ?
            WHERE user_id IN (${placeholders(part.length)})`,
          [...values, ...part],
        );
        if (changed < part.length) await this.insertMissing(accountId, values, part);
      }
    }
  }

  private async insertMissing(accountId: AccountId, values: unknown[], userIds: UserId[]): Promise<void> {
    const present = await this.sql.all<{ user_id: UserId }>(
      `SELECT user_id FROM user_roles WHERE user_id IN (${placeholders(userIds.length)})`,
      userIds,
    );
    const have = new Set(present.map((row) => row.user_id));
    const missing = userIds.filter((id) => !have.has(id));
    if (missing.length === 0) return;
    await this.sql.run(
      `INSERT INTO user_roles (role_key, source, source_group_id, manual_role_key, updated_at, user_id, account_id)
       VALUES ${missing.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      missing.flatMap((userId) => [...values, userId, accountId]),
    );
  }
}

/** The role columns to write, each with the users that get exactly those values. */
function groupedByValues(roles: readonly SavedRole[], at: number): Map<unknown[], UserId[]> {
  const byKey = new Map<string, { values: unknown[]; userIds: UserId[] }>();
  for (const { userId, role } of roles) {
    const { effective } = role;
    const values = [effective.roleKey, effective.source, effective.groupId, role.manualRoleKey, at];
    const key = JSON.stringify(values);
    const entry = byKey.get(key);
    if (entry) entry.userIds.push(userId);
    else byKey.set(key, { values, userIds: [userId] });
  }
  return new Map([...byKey.values()].map((entry) => [entry.values, entry.userIds]));
}

function toMapping(row: Record<string, unknown>): RoleMapping {
  return {
    id: row.id as string,
    accountId: row.account_id as AccountId,
    matchKind: row.match_kind as GroupMatchKind,
    matchValue: row.match_value as string,
    roleKey: row.role_key as string,
    created: num(row.created_at),
  };
}

export function toStoredRole(row: Record<string, unknown>): StoredRole {
  return {
    effective: {
      roleKey: (row.role_key as string | null) ?? null,
      source: (row.source as RoleSource | null) ?? null,
      groupId: (row.source_group_id as string | null) ?? null,
      groupName: (row.group_name as string | null) ?? null,
    },
    manualRoleKey: (row.manual_role_key as string | null) ?? null,
    overrides: overridesOf(row.override_mode, row.granted, row.restricted),
  };
}

function overridesOf(mode: unknown, granted: unknown, restricted: unknown): PermissionOverrides {
  return mode
    ? {
        mode: mode as PermissionOverrides['mode'],
        granted: JSON.parse((granted as string | null) ?? '[]') as string[],
        restricted: JSON.parse((restricted as string | null) ?? '[]') as string[],
      }
    : noOverrides;
}
