import type { DataSource, QueryRunner } from 'typeorm';

/** The two SQL families Roster runs on. Both drivers take `?` placeholders. */
export type Dialect = 'sqlite' | 'mysql';

export function dialectOf(source: DataSource | QueryRunner): Dialect {
  const type = 'connection' in source ? source.connection.options.type : source.options.type;
  return type === 'better-sqlite3' ? 'sqlite' : 'mysql';
}

/** `INSERT` that skips rows colliding with a unique key, in each dialect's words. */
export function insertIgnore(dialect: Dialect): string {
  return dialect === 'sqlite' ? 'INSERT OR IGNORE' : 'INSERT IGNORE';
}
