import { uuidGenerator } from '../../crypto/secrets';
import type {
  DuePendingChange,
  HrTombstone,
  HrUserState,
  PendingChange,
  PendingKind,
} from '../../../domain/hr-sync/hr-types';
import type { AccountId, UserId } from '../../../domain/ids';
import { interner } from '../../../domain/hr-sync/interner';
import type { HrSyncRepository } from '../../../domain/ports';
import type { Dialect } from '../dialect';
import type { SqlRunner } from '../sql-runner';
import { bool, chunks, num, placeholders } from './sql';

const enterprise = '"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"';

/**
 * The columns a plan compares; department and title are read out of the SCIM profile by the
 * database, so planning 100,000 users never parses 100,000 profiles in JavaScript.
 */
function stateColumns(dialect: Dialect): string {
  const json = dialect === 'sqlite' ? 'json_extract' : 'JSON_VALUE';
  return (
    'u.id, u.user_name, u.active, u.given_name, u.family_name, u.manager_id, u.employee_number, ' +
    `${json}(u.profile, '$.${enterprise}.department') AS hr_department, ${json}(u.profile, '$.title') AS hr_title`
  );
}
const page = 5000;

/** The HR sync's tables; reads of whole accounts go by pages so a 100,000-user account is never one result set. */
export class HrSyncRepositorySql implements HrSyncRepository {
  private readonly columns: string;

  constructor(
    private readonly sql: SqlRunner,
    dialect: Dialect,
  ) {
    this.columns = stateColumns(dialect);
  }

  async ownedUsers(accountId: AccountId): Promise<HrUserState[]> {
    const users: HrUserState[] = [];
    const shared = interner();
    for (let after = ''; ;) {
      const rows = await this.sql.all<Record<string, unknown>>(
        `SELECT o.employee_id AS hr_employee_id, ${this.columns}
           FROM hr_owned_users o JOIN users u ON u.id = o.user_id
          WHERE o.account_id = ? AND o.employee_id > ? ORDER BY o.employee_id LIMIT ${page}`,
        [accountId, after],
      );
      for (const row of rows) users.push(stateOf(row, row.hr_employee_id as string, true, shared));
      if (rows.length < page) return users;
      after = rows[rows.length - 1].hr_employee_id as string;
    }
  }

  async unownedMatches(
    accountId: AccountId,
    employeeIds: readonly string[],
    emails: readonly string[],
  ): Promise<HrUserState[]> {
    const found = new Map<string, HrUserState>();
    const shared = interner();
    const lookup = async (column: string, values: readonly string[]) => {
      for (const part of chunks(values)) {
        const rows = await this.sql.all<Record<string, unknown>>(
          `SELECT ${this.columns} FROM users u LEFT JOIN hr_owned_users o ON o.user_id = u.id
            WHERE u.account_id = ? AND o.user_id IS NULL AND u.${column} IN (${placeholders(part.length)})`,
          [accountId, ...part],
        );
        for (const row of rows) {
          found.set(
            row.id as string,
            stateOf(row, (row.employee_number as string | null) ?? null, false, shared),
          );
        }
      }
    };
    await lookup('employee_number', employeeIds);
    await lookup('user_name_norm', emails);
    return [...found.values()];
  }

  async tombstones(accountId: AccountId): Promise<HrTombstone[]> {
    const rows = await this.sql.all<Record<string, unknown>>(
      `SELECT user_id, employee_number, user_name FROM user_tombstones
        WHERE account_id = ? ORDER BY deleted_at, user_id`,
      [accountId],
    );
    return rows.map((row) => ({
      userId: row.user_id as UserId,
      employeeId: (row.employee_number as string | null) ?? null,
      email: row.user_name as string,
    }));
  }

  async own(accountId: AccountId, employeeId: string, userId: UserId, at: number): Promise<void> {
    await this.sql.run(
      'INSERT INTO hr_owned_users (account_id, employee_id, user_id, created_at) VALUES (?, ?, ?, ?)',
      [accountId, employeeId, userId, at],
    );
  }

  async pending(accountId: AccountId): Promise<PendingChange[]> {
    const rows = await this.sql.all<Record<string, unknown>>(
      'SELECT user_id, kind, due_at FROM hr_pending_changes WHERE account_id = ?',
      [accountId],
    );
    return rows.map((row) => ({
      userId: row.user_id as UserId,
      kind: row.kind as PendingKind,
      dueAt: num(row.due_at),
    }));
  }

  async replacePending(
    accountId: AccountId,
    userId: UserId,
    changes: readonly PendingChange[],
    at: number,
  ): Promise<void> {
    await this.sql.run('DELETE FROM hr_pending_changes WHERE account_id = ? AND user_id = ?', [
      accountId,
      userId,
    ]);
    for (const change of changes) {
      await this.sql.run(
        `INSERT INTO hr_pending_changes (id, account_id, user_id, kind, due_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
        [uuidGenerator.newId(), accountId, userId, change.kind, change.dueAt, at],
      );
    }
  }

  async due(now: number, limit: number): Promise<DuePendingChange[]> {
    const rows = await this.sql.all<Record<string, unknown>>(
      `SELECT * FROM hr_pending_changes WHERE due_at <= ? ORDER BY due_at, id LIMIT ${Math.trunc(limit)}`,
      [now],
    );
    return rows.map((row) => ({
      id: row.id as string,
      accountId: row.account_id as AccountId,
      userId: row.user_id as UserId,
      kind: row.kind as PendingKind,
      dueAt: num(row.due_at),
    }));
  }

  async removePending(id: string): Promise<boolean> {
    return (await this.sql.run('DELETE FROM hr_pending_changes WHERE id = ?', [id])) > 0;
  }

  async activeUsers(accountId: AccountId): Promise<number> {
    const rows = await this.sql.all<{ n: unknown }>(
      'SELECT COUNT(*) AS n FROM users WHERE account_id = ? AND active = ?',
      [accountId, true],
    );
    return num(rows[0]?.n ?? 0);
  }
}

/** Names, departments, titles and managers repeat across users: `shared` keeps one copy of each. */
function stateOf(
  row: Record<string, unknown>,
  employeeId: string | null,
  owned: boolean,
  shared: ReturnType<typeof interner>,
): HrUserState {
  return {
    userId: row.id as UserId,
    employeeId,
    owned,
    email: row.user_name as string,
    givenName: shared((row.given_name as string | null) ?? null),
    familyName: shared((row.family_name as string | null) ?? null),
    managerId: shared((row.manager_id as UserId | null) ?? null),
    active: bool(row.active),
    department: shared(text(row.hr_department)),
    title: shared(text(row.hr_title)),
  };
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
