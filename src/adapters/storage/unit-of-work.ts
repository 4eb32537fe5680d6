import type { DataSource, EntityManager } from 'typeorm';
import type { AccountId } from '../../domain/ids';
import type { Tx, UnitOfWork } from '../../domain/ports';
import { isRetryable } from './db-errors';
import { dialectOf, type Dialect } from './dialect';
import { Mutex } from './mutex';
import { sqlRunner, type QueryObserver } from './sql-runner';
import { ApiKeyRepositorySql } from './repositories/api-key.repository';
import { AccountRepositorySql } from './repositories/account.repository';
import { MemberRepositorySql } from './repositories/member.repository';
import { JobLeaseRepositorySql } from './repositories/job-lease.repository';
import { InvitationRepositorySql } from './repositories/invitation.repository';
import { SupportAccessRepositorySql } from './repositories/support-access.repository';
import { MfaPolicyRepositorySql } from './repositories/mfa-policy.repository';
import { AuditRepositorySql } from './repositories/audit.repository';
import { GroupRepositorySql } from './repositories/group.repository';
import { RoleRepositorySql } from './repositories/role.repository';
import { ScimTokenRepositorySql } from './repositories/scim-token.repository';
import { UserRepositorySql } from './repositories/user.repository';
import { ChildAccountRepositorySql } from './repositories/child-account.repository';
import { SsoRepositorySql } from './repositories/sso.repository';
import { SsoSessionRepositorySql } from './repositories/sso-session.repository';
import { InactivityRepositorySql } from './repositories/inactivity.repository';
import { HrSyncRepositorySql } from './repositories/hr-sync.repository';
import { TotpRepositorySql } from './repositories/totp.repository';

const maxAttempts = 5;

/**
 * The one way to reach the database. On SQLite, TypeORM shares one connection per DataSource,
 * so every unit of work (reads included) queues behind a process mutex: otherwise a write of
 * one request would silently join another request's transaction. On MySQL/MariaDB each write
 * locks its account row first, which serializes access-changing writes per account.
 */
export class TypeOrmUnitOfWork implements UnitOfWork {
  private readonly dialect: Dialect;
  private readonly mutex = new Mutex();
  private readTx: Tx | undefined;

  constructor(
    private readonly dataSource: DataSource,
    /** Told the time of every statement (the metrics); absent, nothing is timed. */
    private readonly observer?: QueryObserver,
  ) {
    this.dialect = dialectOf(dataSource);
  }

  /** Connections in use, idle and waited for, for the metrics. */
  poolState(): { busy: number; idle: number; waiting: number } {
    if (this.dialect === 'sqlite') {
      const { busy, waiting } = this.mutex.state;
      return { busy, idle: 1 - busy, waiting };
    }
    // mysql2's pool keeps these lists; they are not part of its typed API.
    const pool = (this.dataSource.driver as unknown as { pool?: MysqlPoolInternals }).pool;
    const all = pool?._allConnections?.length ?? 0;
    const idle = pool?._freeConnections?.length ?? 0;
    return { busy: all - idle, idle, waiting: pool?._connectionQueue?.length ?? 0 };
  }

  write<T>(accountId: AccountId | null, work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.exclusive(() =>
      withRetry(() =>
        this.dataSource.transaction(async (manager) => {
          if (accountId && this.dialect === 'mysql') {
            await manager.query('SELECT id FROM accounts WHERE id = ? FOR UPDATE', [accountId]);
          }
          return work(bindRepositories(manager, this.dialect, this.observer));
        }),
      ),
    );
  }

  read<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    // Reads outside a transaction share one set of repositories: they hold no state.
    this.readTx ??= bindRepositories(this.dataSource.manager, this.dialect, this.observer);
    const tx = this.readTx;
    return this.exclusive(() => work(tx));
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.dialect === 'sqlite' ? this.mutex.run(work) : work();
  }
}

interface MysqlPoolInternals {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
}

function bindRepositories(manager: EntityManager, dialect: Dialect, observer?: QueryObserver): Tx {
  const sql = sqlRunner(manager, dialect, observer);
  return {
    accounts: new AccountRepositorySql(sql),
    users: new UserRepositorySql(sql),
    groups: new GroupRepositorySql(sql, dialect),
    scimTokens: new ScimTokenRepositorySql(sql),
    roles: new RoleRepositorySql(sql),
    apiKeys: new ApiKeyRepositorySql(sql),
    audit: new AuditRepositorySql(sql),
    members: new MemberRepositorySql(sql),
    jobLeases: new JobLeaseRepositorySql(sql),
    support: new SupportAccessRepositorySql(sql),
    invitations: new InvitationRepositorySql(sql),
    children: new ChildAccountRepositorySql(sql, dialect),
    mfa: new MfaPolicyRepositorySql(sql),
    sso: new SsoRepositorySql(sql),
    ssoSessions: new SsoSessionRepositorySql(sql),
    inactivity: new InactivityRepositorySql(sql),
    hr: new HrSyncRepositorySql(sql, dialect),
    totp: new TotpRepositorySql(sql),
  };
}

async function withRetry<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= maxAttempts || !isRetryable(err)) throw err;
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
    }
  }
}
