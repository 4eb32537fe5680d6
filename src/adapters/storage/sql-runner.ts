import { QueryFailedError, QueryRunnerAlreadyReleasedError, type EntityManager } from 'typeorm';
import type { Dialect } from './dialect';

/**
 * How repositories talk to the database: `?`-parameterized SQL, the same text on both dialects.
 * On SQLite it calls better-sqlite3 directly on TypeORM's one connection (so it joins the open
 * transaction) with cached prepared statements: TypeORM's query wrapper doubled the cost of each
 * read on the GET-by-id hot path (docs/benchmarks.md). On MySQL/MariaDB it calls mysql2 directly
 * on the transaction's connection, or on TypeORM's pool outside one, for the same reason
 * (a query runner, a promise wrapper and a stack capture per statement; rows as objects).
 */
export interface SqlRunner {
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /**
   * Rows as arrays of values in the order of the SELECT list (no object per row, which costs as
   * much as the query itself for a page of wide rows); columns of the same name keep both values.
   */
  values(sql: string, params?: readonly unknown[]): Promise<unknown[][]>;
  /** Runs a write and returns how many rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

interface Statement {
  reader: boolean;
  raw(on: boolean): Statement;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
}

interface SqliteDatabase {
  prepare(sql: string): Statement;
}

/**
 * Prepared statements by their SQL, per connection: those returning objects and those in raw mode
 * (arrays) apart, as raw mode is a setting of the prepared statement. Two maps keyed by the SQL
 * itself, not one keyed by `raw:` + SQL: that key was a new string at every call, hashed and
 * compared character by character on each lookup.
 */
interface StatementCache {
  objects: Map<string, Statement>;
  arrays: Map<string, Statement>;
}

const statementCaches = new WeakMap<SqliteDatabase, StatementCache>();
/** Statements kept in each map; past it, the oldest is dropped. */
const maxCachedStatements = 500;

/** Told how long each statement took (seconds). */
export type QueryObserver = (kind: 'read' | 'write', seconds: number) => void;

export function sqlRunner(manager: EntityManager, dialect: Dialect, observer?: QueryObserver): SqlRunner {
  const runner = dialect === 'sqlite' ? sqliteRunner(manager) : mysqlRunner(manager);
  return observer ? timed(runner, observer) : runner;
}

function timed(runner: SqlRunner, observe: QueryObserver): SqlRunner {
  // A thunk: on SQLite the statement runs synchronously inside the call.
  const time = async <T>(kind: 'read' | 'write', work: () => Promise<T>): Promise<T> => {
    const started = process.hrtime.bigint();
    try {
      return await work();
    } finally {
      observe(kind, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
  return {
    all: <T>(sql: string, params?: readonly unknown[]) => time('read', () => runner.all<T>(sql, params)),
    values: (sql, params) => time('read', () => runner.values(sql, params)),
    run: (sql, params) => time('write', () => runner.run(sql, params)),
  };
}

function sqliteRunner(manager: EntityManager): SqlRunner {
  const database = (manager.connection.driver as unknown as { databaseConnection: SqliteDatabase })
    .databaseConnection;
  let caches = statementCaches.get(database);
  if (!caches) statementCaches.set(database, (caches = { objects: new Map(), arrays: new Map() }));
  const { objects, arrays } = caches;
  const statement = (sql: string, raw = false): Statement => {
    const cache = raw ? arrays : objects;
    let prepared = cache.get(sql);
    if (!prepared) {
      prepared = database.prepare(sql);
      if (raw) prepared.raw(true);
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
    values: async (sql: string, params: readonly unknown[] = []) =>
      statement(sql, true).all(...bind(params)) as unknown[][],
    run: async (sql, params = []) => statement(sql).run(...bind(params)).changes,
  };
}

type QueryOptions = { sql: string; values: unknown[]; rowsAsArray: boolean };
type Settle = (err: Error | null, result: unknown) => void;

/** A mysql2 connection, as the pool lends it or as a transaction holds it. */
interface MysqlConnection {
  query(options: QueryOptions, callback: Settle): void;
  execute(options: QueryOptions, callback: Settle): void;
}

interface MysqlPool {
  getConnection(
    callback: (err: Error | null, connection: MysqlConnection & { release(): void }) => void,
  ): void;
}

interface TransactionRunner {
  isReleased: boolean;
  databaseConnection?: MysqlConnection;
}

/**
 * Outside a transaction, a connection from the pool, given back the moment its result is in.
 * (mysql2's `pool.query` gives it back on a later event: under the server's mixed load that kept
 * 20-30 MB more resident, measured.)
 */
function onPooledConnection(pool: MysqlPool, options: QueryOptions, settle: Settle): void {
  pool.getConnection((err, connection) => {
    if (err) return settle(err, undefined);
    send(connection, options, (queryErr, result) => {
      connection.release();
      settle(queryErr, result);
    });
  });
}

/**
 * Point reads and writes (a token, a user by id, an authorize check: statements of a few
 * parameters without a subquery) run as prepared statements, which MariaDB parses once per
 * connection: a third less of its CPU per GET by id (docs/benchmarks.md). The rest is sent as
 * text: IN lists, whose placeholder count varies, would churn the connection's cache of
 * prepared statements, and a page (a derived table and a COUNT subquery) cost MariaDB half as
 * much CPU again prepared under concurrent load (measured).
 */
const preparedUpTo = 8;

function send(connection: MysqlConnection, options: QueryOptions, settle: Settle): void {
  if (options.values.length <= preparedUpTo && !/\(\s*SELECT/i.test(options.sql)) {
    connection.execute(options, settle);
  } else connection.query(options, settle);
}

function mysqlRunner(manager: EntityManager): SqlRunner {
  const pool = (manager.connection.driver as unknown as { pool: MysqlPool }).pool;
  const transaction = manager.queryRunner as unknown as TransactionRunner | undefined;
  const query = <T>(sql: string, params: readonly unknown[], rowsAsArray: boolean): Promise<T> => {
    // A statement after its transaction ended must fail, not run on a pooled connection.
    if (transaction?.isReleased) return Promise.reject(new QueryRunnerAlreadyReleasedError());
    const connection = transaction?.databaseConnection;
    if (transaction && !connection) return Promise.reject(new Error('the transaction has no connection'));
    // A prepared statement refuses undefined; as text it was written as NULL.
    const options = { sql, values: params.map((p) => (p === undefined ? null : p)), rowsAsArray };
    return new Promise<T>((resolve, reject) => {
      // Wrapped as TypeORM wraps it, so errors read the same to db-errors.ts and the logs.
      const settle: Settle = (err, result) =>
        err ? reject(new QueryFailedError(sql, options.values, err)) : resolve(result as T);
      if (connection) send(connection, options, settle);
      else onPooledConnection(pool, options, settle);
    });
  };
  return {
    all: <T>(sql: string, params: readonly unknown[] = []) => query<T[]>(sql, params, false),
    values: (sql, params = []) => query<unknown[][]>(sql, params, true),
    run: async (sql, params = []) => {
      if (!transaction) throw new Error('writes must run inside a unit of work');
      return (await query<{ affectedRows?: number }>(sql, params, false)).affectedRows ?? 0;
    },
  };
}
