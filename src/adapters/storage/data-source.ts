import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ConfigError } from '../../config/load';
import { safeDatabaseUrl } from '../../config/database-url';
import { migrateUnderLock } from './migration-lock';
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
import { Oidc1764150000000 } from './migrations/1764150000000-oidc';
import { SamlSpKey1764160000000 } from './migrations/1764160000000-saml-sp-key';
import { RateLimits1764170000000 } from './migrations/1764170000000-rate-limits';
import { ServerSecrets1764180000000 } from './migrations/1764180000000-server-secrets';
import { Events1764200000000 } from './migrations/1764200000000-events';
import { Deliveries1764203000000 } from './migrations/1764203000000-deliveries';
import { SsfStreams1764260000000 } from './migrations/1764260000000-ssf-streams';
import { ExactText1764300000000 } from './migrations/1764300000000-exact-text';
import { UserAttributeValues1764310000000 } from './migrations/1764310000000-user-attribute-values';

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
  Oidc1764150000000,
  SamlSpKey1764160000000,
  RateLimits1764170000000,
  ServerSecrets1764180000000,
  Events1764200000000,
  Deliveries1764203000000,
  SsfStreams1764260000000,
  ExactText1764300000000,
  UserAttributeValues1764310000000,
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
      // While opening and migrating, wait for another process's lock; afterwards the unit of work
      // waits asynchronously instead (sqliteBusyWaitMs below, unit-of-work.ts).
      timeout: 5000,
      // LIKE must be case-sensitive, as with MySQL's binary collation: ci attributes use _norm columns.
      prepareDatabase: (db: { pragma: (sql: string) => unknown }) => {
        db.pragma('case_sensitive_like = ON');
        // A 16 MiB page cache and no memory map, from measurements (docs/benchmarks.md, step 6):
        // with 100,000 users and 1,000 groups under mixed load the server peaked at 384 MiB with
        // the former 64 MiB cache and 256 MiB map (the mapped pages count in its RSS), at 196-259
        // MiB with 32 MiB and no map, and at 187-189 MiB like this, with the same CPU per read;
        // pages the cache misses come from the OS page cache by pread.
        db.pragma('cache_size = -16384');
        db.pragma('mmap_size = 0');
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
    extra: { connectionLimit: 10, maxPreparedStatements: 100 },
  };
}

/**
 * SQLite's busy wait blocks the whole process, so once open a statement waits only this long
 * for another process's lock; the unit of work retries asynchronously after that.
 */
const sqliteBusyWaitMs = 10;

/**
 * Opens the database and brings its schema up to date, under a lock, so that several instances
 * starting at once on a fresh database run the migrations exactly once (migration-lock.ts).
 * A database that cannot be reached stops the start with a message naming DATABASE_URL (without
 * its password).
 */
export async function openDataSource(databaseUrl: string): Promise<DataSource> {
  let dataSource: DataSource;
  try {
    dataSource = createDataSource(databaseUrl);
    await dataSource.initialize();
  } catch (err) {
    throw new ConfigError(
      `Cannot open the database at DATABASE_URL=${safeDatabaseUrl(databaseUrl)}: ${(err as Error).message}`,
    );
  }
  try {
    await migrateUnderLock(dataSource);
  } catch (err) {
    await dataSource.destroy();
    throw err;
  }
  if (dataSource.options.type === 'better-sqlite3') {
    await dataSource.query(`PRAGMA busy_timeout = ${sqliteBusyWaitMs}`);
  }
  return dataSource;
}
