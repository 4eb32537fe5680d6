import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { InitialSchema1763900000000 } from './migrations/1763900000000-initial-schema';
import { RoleStore1763990000000 } from './migrations/1763990000000-role-store';
import { ApiKeys1764000000000 } from './migrations/1764000000000-api-keys';
import { PermissionOverrides1764010000000 } from './migrations/1764010000000-permission-overrides';
import { ChildAccounts1764020000000 } from './migrations/1764020000000-child-accounts';
import { Sso1764030000000 } from './migrations/1764030000000-sso';
import { MfaPolicy1764040000000 } from './migrations/1764040000000-mfa-policy';
import { HrSync1764050000000 } from './migrations/1764050000000-hr-sync';
import { JobLeases1764060000000 } from './migrations/1764060000000-job-leases';
import { SupportAccess1764070000000 } from './migrations/1764070000000-support-access';
import { SeatLimits1764080000000 } from './migrations/1764080000000-seat-limits';
import { Invitations1764090000000 } from './migrations/1764090000000-invitations';
import { UserTombstones1764100000000 } from './migrations/1764100000000-user-tombstones';
import { DeprovisioningBrake1764110000000 } from './migrations/1764110000000-deprovisioning-brake';
import { SsoSessions1764120000000 } from './migrations/1764120000000-sso-sessions';
import { InactivityReview1764130000000 } from './migrations/1764130000000-inactivity-review';
import { Totp1764140000000 } from './migrations/1764140000000-totp';
import { ExactText1764150000000 } from './migrations/1764150000000-exact-text';
import { UserAttributeValues1764160000000 } from './migrations/1764160000000-user-attribute-values';

export const migrations = [
  InitialSchema1763900000000,
  RoleStore1763990000000,
  ApiKeys1764000000000,
  PermissionOverrides1764010000000,
  ChildAccounts1764020000000,
  Sso1764030000000,
  MfaPolicy1764040000000,
  HrSync1764050000000,
  JobLeases1764060000000,
  SupportAccess1764070000000,
  SeatLimits1764080000000,
  Invitations1764090000000,
  UserTombstones1764100000000,
  DeprovisioningBrake1764110000000,
  SsoSessions1764120000000,
  InactivityReview1764130000000,
  Totp1764140000000,
  ExactText1764150000000,
  UserAttributeValues1764160000000,
];

/**
 * Builds the TypeORM DataSource for DATABASE_URL. Schema changes come only from migrations
 * (never synchronize), and the same migration files run on SQLite and MySQL/MariaDB.
 */
export function createDataSource(databaseUrl: string): DataSource {
  return new DataSource(optionsFor(databaseUrl));
}

export function optionsFor(databaseUrl: string): DataSourceOptions {
  const common = { migrations, synchronize: false, migrationsRun: false, logging: false } as const;
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    const database = path === ':memory:' ? path : resolve(path);
    if (database !== ':memory:') mkdirSync(dirname(database), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database,
      enableWAL: database !== ':memory:',
      // Another process (the CLI) may hold the write lock for a moment.
      timeout: 5000,
      // LIKE must be case-sensitive, as with MySQL's binary collation: ci attributes use _norm columns.
      prepareDatabase: (db: { pragma: (sql: string) => unknown }) => {
        db.pragma('case_sensitive_like = ON');
        // Reads of a 100,000-user file come from memory, not from a pread per page: a 64 MiB page
        // cache and a memory-mapped file (shared with the OS page cache, so it costs no extra RAM).
        db.pragma('cache_size = -65536');
        db.pragma('mmap_size = 268435456');
      },
    };
  }
  const url = new URL(databaseUrl);
  return {
    ...common,
    type: url.protocol === 'mariadb:' ? 'mariadb' : 'mysql',
    host: url.hostname,
    port: url.port ? Number(url.port) : 3306,
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: url.pathname.replace(/^\//, ''),
    charset: 'utf8mb4_bin',
    extra: { connectionLimit: 10 },
  };
}

/** Opens the database and brings its schema up to date. */
export async function openDataSource(databaseUrl: string): Promise<DataSource> {
  const dataSource = createDataSource(databaseUrl);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}
