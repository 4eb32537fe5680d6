import type { AccountId, UserId } from '../../../domain/ids';
import type { MemberFilter, MemberRecord, MemberRepository } from '../../../domain/ports';
import type { SqlRunner } from '../sql-runner';
import { toStoredRole } from './role.repository';
import { bool, numOrNull } from './sql';

/**
 * Users with their stored role, for the members list and the access review. Keyset paging on
 * (account_id, user_name_norm), the unique index, so page 1,000 costs what page 1 costs.
 */
export class MemberRepositorySql implements MemberRepository {
  constructor(private readonly sql: SqlRunner) {}

  async list(accountId: AccountId, filter: MemberFilter): Promise<MemberRecord[]> {
    const where = ['u.account_id = ?'];
    const params: unknown[] = [accountId];
    if (filter.role !== undefined) {
      where.push(filter.role === null ? 'r.role_key IS NULL' : 'r.role_key = ?');
      if (filter.role !== null) params.push(filter.role);
    }
    if (filter.source !== undefined) {
      where.push(filter.source === null ? 'r.source IS NULL' : 'r.source = ?');
      if (filter.source !== null) params.push(filter.source);
    }
    if (filter.status) {
      where.push('u.active = ?');
      params.push(filter.status === 'active');
    }
    if (filter.userId !== undefined) {
      where.push('u.id = ?');
      params.push(filter.userId);
    }
    if (filter.after !== undefined) {
      where.push('u.user_name_norm > ?');
      params.push(filter.after);
    }
    const rows = await this.sql.all<Record<string, unknown>>(
      `SELECT u.id AS uid, u.user_name, u.user_name_norm, u.display_name, u.active, u.mfa_required,
              r.role_key, r.source, r.source_group_id, r.manual_role_key, r.override_mode, r.granted,
              r.restricted, g.display_name AS group_name, s.last_login_at
         FROM users u
         LEFT JOIN user_roles r ON r.user_id = u.id
         LEFT JOIN directory_groups g ON g.id = r.source_group_id
         LEFT JOIN user_sign_ins s ON s.user_id = u.id
        WHERE ${where.join(' AND ')}
        ORDER BY u.user_name_norm
        LIMIT ${Math.trunc(filter.limit)}`,
      params,
    );
    return rows.map((row) => ({
      id: row.uid as UserId,
      userName: row.user_name as string,
      userNameKey: row.user_name_norm as string,
      displayName: (row.display_name as string | null) ?? null,
      active: bool(row.active),
      role: toStoredRole(row),
      mfaRequired: row.mfa_required === null ? null : bool(row.mfa_required),
      lastLogin: numOrNull(row.last_login_at),
    }));
  }
}
