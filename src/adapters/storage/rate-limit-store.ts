import {
  RateLimiterMemory,
  RateLimiterMySQL,
  RateLimiterSQLite,
  type RateLimiterRes,
} from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import { dialectOf } from './dialect';
import type { TypeOrmUnitOfWork } from './unit-of-work';

/** A counter in the `rate_limits` table, which every instance on the database shares. */
export interface SharedCounter {
  /** Adds `points` and answers; rejects with a RateLimiterRes once the key is past its limit. */
  consume(key: string, points?: number): Promise<RateLimiterRes>;
  /** Adds `points` and answers, past the limit or not. */
  add(key: string, points: number): Promise<RateLimiterRes>;
}

export interface CounterOptions {
  /** Namespaces the keys of one limit from another's. */
  keyPrefix: string;
  points: number;
  durationSeconds: number;
  /** Once past the limit, refuse the key from this process's memory until its window ends (no store write). */
  blockInMemory?: boolean;
}

const tableName = 'rate_limits';
const expiredRowsKeptMs = 60 * 60_000;

/**
 * rate-limiter-flexible's own MySQL and SQLite stores on Roster's database (docs/decisions.md).
 * The table comes from a migration (`tableCreated`), not from the library at run time. On MySQL
 * the store takes connections from TypeORM's pool; on SQLite it uses TypeORM's one connection, so
 * each call waits for the unit of work's mutex: between two statements of another request's
 * transaction, the counter's write would otherwise join that transaction. When the database
 * cannot be reached, the library counts in this process's memory instead (`insuranceLimiter`).
 */
export function sharedCounter(
  dataSource: DataSource,
  uow: TypeOrmUnitOfWork,
  options: CounterOptions,
): SharedCounter {
  const common = {
    keyPrefix: options.keyPrefix,
    points: options.points,
    duration: options.durationSeconds,
    tableName,
    tableCreated: true,
    clearExpiredByTimeout: false,
    inMemoryBlockOnConsumed: options.blockInMemory ? options.points + 1 : 0,
    insuranceLimiter: new RateLimiterMemory({ points: options.points, duration: options.durationSeconds }),
  };
  const driver = dataSource.driver as unknown as {
    pool?: unknown;
    database?: string;
    databaseConnection?: unknown;
  };
  const limiter =
    dialectOf(dataSource) === 'sqlite'
      ? new RateLimiterSQLite({
          ...common,
          storeClient: driver.databaseConnection,
          storeType: 'better-sqlite3',
        })
      : new RateLimiterMySQL({
          ...common,
          storeClient: driver.pool,
          storeType: 'pool',
          dbName: driver.database,
        });
  return {
    consume: (key, points = 1) => uow.exclusive(() => limiter.consume(key, points)),
    add: (key, points) => uow.exclusive(() => limiter.penalty(key, points)),
  };
}

/** Deletes counters whose window ended an hour ago or more (any instance may; it is idempotent). */
export async function deleteExpiredCounters(
  dataSource: DataSource,
  uow: TypeOrmUnitOfWork,
  now: number,
): Promise<void> {
  await uow.statement(() =>
    dataSource.query(`DELETE FROM ${tableName} WHERE expire < ?`, [now - expiredRowsKeptMs]),
  );
}
