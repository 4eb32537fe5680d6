import { createHash } from 'node:crypto';
import type { DataSource, QueryRunner } from 'typeorm';
import { isSqliteBusy } from './db-errors';
import { dialectOf } from './dialect';

/** How long an instance waits for another one's migrations before it gives up. */
const migrationLockWaitSeconds = 300;

/**
 * Runs the pending migrations so that several instances starting at once on one fresh database
 * do it exactly once: the others wait, then find nothing pending. TypeORM alone is not safe:
 * each instance sees no `migrations` table and creates the same tables ("Table 'accounts'
 * already exists"), on MySQL/MariaDB and on SQLite alike.
 */
export async function migrateUnderLock(dataSource: DataSource): Promise<void> {
  if (dialectOf(dataSource) === 'sqlite') await migrateSqlite(dataSource);
  else await migrateMysql(dataSource);
}

/**
 * MySQL/MariaDB: a named lock (GET_LOCK) held by one connection for the whole run; it is the
 * server's, so it is freed if the instance dies. DDL commits by itself there, so each migration
 * keeps its own transaction as before.
 */
async function migrateMysql(dataSource: DataSource): Promise<void> {
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    const name = await lockName(lock);
    const [row] = (await lock.query('SELECT GET_LOCK(?, ?) AS acquired', [
      name,
      migrationLockWaitSeconds,
    ])) as { acquired: unknown }[];
    if (Number(row?.acquired) !== 1) {
      throw new Error(
        `Another instance has been migrating this database for ${migrationLockWaitSeconds} s (lock ${name}); is one stuck?`,
      );
    }
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await lock.query('SELECT RELEASE_LOCK(?)', [name]);
    }
  } finally {
    await lock.release();
  }
}

/** Lock names are server-wide and at most 64 characters: one per database. */
async function lockName(runner: QueryRunner): Promise<string> {
  const [row] = (await runner.query('SELECT DATABASE() AS db')) as { db: string }[];
  return `roster-migrate-${createHash('sha256').update(String(row.db)).digest('hex').slice(0, 32)}`;
}

/**
 * SQLite is one file: the whole run, including the check of what is pending, is one write
 * transaction taken at once (BEGIN IMMEDIATE), so a second process waits for the first to commit
 * and then finds nothing to do. Foreign keys are off while migrating, as TypeORM does per
 * migration (a table rebuilt by ALTER must not cascade into its children).
 */
async function migrateSqlite(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.beforeMigration();
  try {
    await beginImmediate(runner);
    try {
      await dataSource.runMigrations({ transaction: 'none' });
      await runner.query('COMMIT');
    } catch (err) {
      await runner.query('ROLLBACK');
      throw err;
    }
  } finally {
    await runner.afterMigration();
  }
}

/** Waits (without blocking the process) while another process holds the write lock. */
async function beginImmediate(runner: QueryRunner): Promise<void> {
  const deadline = Date.now() + migrationLockWaitSeconds * 1000;
  for (;;) {
    try {
      await runner.query('BEGIN IMMEDIATE');
      return;
    } catch (err) {
      if (!isSqliteBusy(err) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 50));
    }
  }
}
