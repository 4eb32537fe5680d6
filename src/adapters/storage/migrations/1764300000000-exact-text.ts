import type { MigrationInterface, QueryRunner } from 'typeorm';
import { normalizeCaseInsensitive } from '../../../domain/text';
import { dialectOf } from '../dialect';
import { noPadCollation } from './schema-helpers';

type Row = Record<string, unknown>;

const norm = (value: unknown): string | null =>
  typeof value === 'string' ? normalizeCaseInsensitive(value) : null;

/**
 * Text compares the same on both databases. On MySQL/MariaDB every table moves from utf8mb4_bin,
 * which pads with spaces (`'x' = 'x  '` is true there, false on SQLite), to the binary collation
 * that does not. And the lowercased `_norm` columns are recomputed with the case folding Roster
 * now uses (trimmed, and without folding look-alikes such as KELVIN SIGN into ASCII).
 */
export class ExactText1764300000000 implements MigrationInterface {
  name = 'ExactText1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    if (dialectOf(runner) === 'mysql') await convertCollation(runner, noPadCollation(runner));
    await recompute(runner, 'users', (row) => {
      const emails = JSON.parse(String(row.emails)) as {
        value: string;
        type: string | null;
        primary: boolean;
      }[];
      const primary = emails.find((e) => e.primary) ?? emails[0];
      return {
        user_name_norm: norm(row.user_name),
        display_name_norm: norm(row.display_name),
        given_name_norm: norm(row.given_name),
        family_name_norm: norm(row.family_name),
        primary_email_norm: norm(primary?.value),
      };
    });
    await recompute(runner, 'directory_groups', (row) => ({
      display_name_norm: norm(row.display_name),
    }));
    await recompute(runner, 'role_mappings', (row) =>
      row.match_kind === 'displayName'
        ? { match_value: norm(row.match_value) }
        : ({} as Record<string, never>),
    );
    await recomputeEmails(runner);
  }

  async down(): Promise<void> {
    // The old collation and folding compared less exactly; nothing to restore.
  }
}

/**
 * Moves every table with a column of another collation to `collation`. MariaDB refuses to change a
 * foreign-key column's collation even with the checks off, so the foreign keys are dropped first
 * and put back, as they were, afterwards.
 */
export async function convertCollation(runner: QueryRunner, collation: string): Promise<void> {
  const tables: Row[] = await runner.query(
    `SELECT DISTINCT TABLE_NAME AS name FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> 'migrations'
        AND COLLATION_NAME IS NOT NULL AND COLLATION_NAME <> ?`,
    [collation],
  );
  if (tables.length === 0) return; // a database created with these migrations already is
  const keys = await foreignKeys(runner);
  for (const key of keys) await runner.query(`ALTER TABLE \`${key.table}\` DROP FOREIGN KEY \`${key.name}\``);
  for (const { name } of tables) {
    await runner.query(
      `ALTER TABLE \`${String(name)}\` CONVERT TO CHARACTER SET utf8mb4 COLLATE ${collation}`,
    );
  }
  for (const key of keys) {
    await runner.query(
      `ALTER TABLE \`${key.table}\` ADD CONSTRAINT \`${key.name}\` FOREIGN KEY (${key.columns.map((c) => `\`${c}\``).join(', ')})
       REFERENCES \`${key.referenced}\` (${key.referencedColumns.map((c) => `\`${c}\``).join(', ')})
       ON DELETE ${key.onDelete} ON UPDATE ${key.onUpdate}`,
    );
  }
}

interface ForeignKey {
  name: string;
  table: string;
  referenced: string;
  columns: string[];
  referencedColumns: string[];
  onDelete: string;
  onUpdate: string;
}

async function foreignKeys(runner: QueryRunner): Promise<ForeignKey[]> {
  const rows: Row[] = await runner.query(
    `SELECT rc.CONSTRAINT_NAME AS name, rc.TABLE_NAME AS tbl, rc.REFERENCED_TABLE_NAME AS referenced,
            rc.DELETE_RULE AS on_delete, rc.UPDATE_RULE AS on_update,
            k.COLUMN_NAME AS col, k.REFERENCED_COLUMN_NAME AS referenced_col
       FROM information_schema.REFERENTIAL_CONSTRAINTS rc
       JOIN information_schema.KEY_COLUMN_USAGE k
         ON k.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = rc.CONSTRAINT_NAME
        AND k.TABLE_NAME = rc.TABLE_NAME
      WHERE rc.CONSTRAINT_SCHEMA = DATABASE()
      ORDER BY rc.TABLE_NAME, rc.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
  );
  const byName = new Map<string, ForeignKey>();
  for (const row of rows) {
    const id = `${String(row.tbl)}.${String(row.name)}`;
    const key = byName.get(id) ?? {
      name: String(row.name),
      table: String(row.tbl),
      referenced: String(row.referenced),
      columns: [],
      referencedColumns: [],
      onDelete: String(row.on_delete),
      onUpdate: String(row.on_update),
    };
    key.columns.push(String(row.col));
    key.referencedColumns.push(String(row.referenced_col));
    byName.set(id, key);
  }
  return [...byName.values()];
}

/** Rewrites the columns `derive` returns for each row where they differ, 1,000 rows at a time. */
async function recompute(
  runner: QueryRunner,
  table: string,
  derive: (row: Row) => Record<string, string | null>,
): Promise<void> {
  let after = '';
  for (;;) {
    const rows: Row[] = await runner.query(`SELECT * FROM ${table} WHERE id > ? ORDER BY id LIMIT 1000`, [
      after,
    ]);
    if (rows.length === 0) return;
    for (const row of rows) {
      const changed = Object.entries(derive(row)).filter(([column, value]) => row[column] !== value);
      if (changed.length === 0) continue;
      await runner.query(
        `UPDATE ${table} SET ${changed.map(([column]) => `${column} = ?`).join(', ')} WHERE id = ?`,
        [...changed.map(([, value]) => value), row.id],
      );
    }
    after = String(rows[rows.length - 1].id);
  }
}

/** user_emails rows hold the folded value and type of each of the user's emails, by position. */
async function recomputeEmails(runner: QueryRunner): Promise<void> {
  let after = '';
  for (;;) {
    const users: Row[] = await runner.query(
      'SELECT id, emails FROM users WHERE id > ? ORDER BY id LIMIT 1000',
      [after],
    );
    if (users.length === 0) return;
    const emailsOf = new Map(users.map((u) => [u.id, JSON.parse(String(u.emails)) as Row[]]));
    const rows: Row[] = await runner.query(
      `SELECT user_id, position, value_norm, type_norm FROM user_emails
        WHERE user_id IN (${users.map(() => '?').join(', ')})`,
      users.map((u) => u.id),
    );
    for (const row of rows) {
      const email = emailsOf.get(row.user_id)?.[Number(row.position)];
      if (!email) continue;
      const value = norm(email.value);
      const type = norm(email.type);
      if (value === row.value_norm && type === row.type_norm) continue;
      await runner.query(
        'UPDATE user_emails SET value_norm = ?, type_norm = ? WHERE user_id = ? AND position = ?',
        [value, type, row.user_id, row.position],
      );
    }
    after = String(users[users.length - 1].id);
  }
}
