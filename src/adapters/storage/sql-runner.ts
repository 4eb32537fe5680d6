import type { EntityManager } from 'typeorm';
import type { Dialect } from './dialect';

/**
 * How repositories talk to the database: `?`-parameterized SQL, the same text on both dialects.
 * On MySQL/MariaDB it goes through the transaction's TypeORM query runner. On SQLite it calls
 * better-sqlite3 directly on TypeORM's one connection (so it joins the open transaction) with
 * cached prepared statements: TypeORM's query wrapper doubled the cost of each read on the
 * GET-by-id hot path (docs/benchmarks.md).
 */
export interface SqlRunner {
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a write and returns how many rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

interface Statement {
  reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
}

interface SqliteDatabase {
  prepare(sql: string): Statement;
}

const statementCaches = new WeakMap<SqliteDatabase, Map<string, Statement>>();
const maxCachedStatements = 500;

export function sqlRunner(manager: EntityManager, dialect: Dialect): SqlRunner {
  return dialect === 'sqlite' ? sqliteRunner(manager) : typeormRunner(manager);
}

function sqliteRunner(manager: EntityManager): SqlRunner {
  const database = (manager.connection.driver as unknown as { databaseConnection: SqliteDatabase })
    .databaseConnection;
  const statement = (sql: string): Statement => {
    let cache = statementCaches.get(database);
    if (!cache) statementCaches.set(database, (cache = new Map()));
    let prepared = cache.get(sql);
    if (!prepared) {
      prepared = database.prepare(sql);
      if (cache.size >= maxCachedStatements) cache.delete(cache.keys().next().value as string);
      cache.set(sql, prepared);
    }
    return prepared;
  };
  // better-sqlite3 cannot bind booleans.
  const bind = (params: readonly unknown[]) => params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
  return {
    all: async <T>(sql: string, params: readonly unknown[] = []) =>
      statement(sql).all(...bind(params)) as T[],
    run: async (sql, params = []) => statement(sql).run(...bind(params)).changes,
  };
}

function typeormRunner(manager: EntityManager): SqlRunner {
  return {
    all: (sql, params = []) => manager.query(sql, [...params]),
    run: async (sql, params = []) => {
      if (!manager.queryRunner) throw new Error('writes must run inside a unit of work');
      const result = await manager.queryRunner.query(sql, [...params], true);
      return result.affected ?? 0;
    },
  };
}
