import type { DataSource, EntityManager } from 'typeorm';
import type { AccountId } from '../../domain/ids';
import type { CommitEffect, Tx, UnitOfWork } from '../../domain/ports';
import { DomainError } from '../../domain/errors';
import { isDatabaseUnavailable, isRetryable, isSqliteBusy } from './db-errors';
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
import { OidcClientRepositorySql } from './repositories/oidc-client.repository';
import { OidcPayloadRepositorySql } from './repositories/oidc-payload.repository';
import { AccountDomainRepositorySql } from './repositories/account-domain.repository';
import { SigningKeyRepositorySql } from './repositories/signing-key.repository';
import { EventRepositorySql } from './repositories/event.repository';
import type { EventRepository } from '../../domain/events/event-ports';
import { DeliveryTargetRepositorySql } from './repositories/delivery-target.repository';
import { DeliveryRepositorySql } from './repositories/delivery.repository';
import { WebhookSecretRepositorySql } from './repositories/webhook-secret.repository';
import { SsfStreamRepositorySql } from './repositories/ssf-stream.repository';

/** Carries out what committed transactions asked for (composition.ts sets it; none in the CLI). */
export type CommitEffectHandler = (effects: readonly CommitEffect[]) => void;

const maxAttempts = 5;
/**
 * How long a write waits, in all, for another process's SQLite write lock. SQLite's own busy wait
 * blocks the event loop, so the driver waits only briefly (data-source.ts) and the rest of the
 * wait is these asynchronous retries: the process keeps answering, and a lock held past this
 * deadline is an outage (503).
 */
export const sqliteLockWaitMs = 5_000;

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
  private onCommit: CommitEffectHandler = () => undefined;
  private onEvents: () => void = () => undefined;

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

  /** Where effects of committed transactions go (the back-channel logout sender). */
  setCommitEffectHandler(handler: CommitEffectHandler): void {
    this.onCommit = handler;
  }

  /** Told after each commit that appended events to the outbox (wakes the delivery loop). */
  setEventsCommittedListener(listener: () => void): void {
    this.onEvents = listener;
  }

  async write<T>(accountId: AccountId | null, work: (tx: Tx) => Promise<T>): Promise<T> {
    let effects: CommitEffect[] = [];
    let appended = false;
    // Each attempt takes the mutex anew: between attempts the process's reads go on.
    const result = await withRetry(() =>
      this.exclusive(() => {
        // A retried attempt starts over: only the effects of the attempt that commits count.
        effects = [];
        appended = false;
        return this.dataSource.transaction(async (manager) => {
          if (accountId && this.dialect === 'mysql') {
            await manager.query('SELECT id FROM accounts WHERE id = ? FOR UPDATE', [accountId]);
          }
          const tx = bindRepositories(
            manager,
            this.dialect,
            (effect) => effects.push(effect),
            this.observer,
            () => (appended = true),
          );
          const result = await work(tx);
          // The transaction's events go in last, together (event.repository.ts).
          await (tx.events as EventRepositorySql).flush();
          return result;
        });
      }),
    ).catch(asOutage);
    if (effects.length > 0) this.onCommit(effects);
    if (appended) this.onEvents();
    return result;
  }

  read<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    // Reads outside a transaction share one set of repositories: they hold no state.
    this.readTx ??= bindRepositories(
      this.dataSource.manager,
      this.dialect,
      () => {
        throw new Error('afterCommit needs a write (uow.write), not a read');
      },
      this.observer,
    );
    const tx = this.readTx;
    return this.exclusive(() => work(tx)).catch(asOutage);
  }

  /**
   * Runs `work` alone on SQLite's one connection (queued behind any unit of work); on MySQL at once.
   * For code that must use the connection outside a unit of work (the rate limiter's store).
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.dialect === 'sqlite' ? this.mutex.run(work) : work();
  }

  /**
   * `exclusive`, retried as a unit of work is when the database is busy (another process holds
   * SQLite's write lock, e.g. several instances starting at once) and an outage when it is down.
   */
  statement<T>(work: () => Promise<T>): Promise<T> {
    return withRetry(() => this.exclusive(work)).catch(asOutage);
  }
}

interface MysqlPoolInternals {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
}

function bindRepositories(
  manager: EntityManager,
  dialect: Dialect,
  afterCommit: (effect: CommitEffect) => void,
  observer?: QueryObserver,
  eventsAppended: () => void = () => undefined,
): Tx {
  const sql = sqlRunner(manager, dialect, observer);
  return {
    afterCommit,
    oidcClients: new OidcClientRepositorySql(sql),
    oidcPayloads: new OidcPayloadRepositorySql(sql, dialect),
    domains: new AccountDomainRepositorySql(sql, dialect),
    signingKeys: new SigningKeyRepositorySql(sql),
    ssfStreams: new SsfStreamRepositorySql(sql, dialect),
    accounts: new AccountRepositorySql(sql),
    users: new UserRepositorySql(sql, dialect),
    groups: new GroupRepositorySql(sql, dialect),
    scimTokens: new ScimTokenRepositorySql(sql),
    roles: new RoleRepositorySql(sql),
    apiKeys: new ApiKeyRepositorySql(sql),
    audit: new AuditRepositorySql(sql, dialect),
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
    events: observeAppends(new EventRepositorySql(sql, dialect), eventsAppended),
    deliveryTargets: new DeliveryTargetRepositorySql(sql),
    deliveries: new DeliveryRepositorySql(sql, dialect),
    webhookSecrets: new WebhookSecretRepositorySql(sql),
  };
}

/** The event repository, telling `appended` when a transaction adds events. */
function observeAppends<R extends EventRepository>(events: R, appended: () => void): R {
  const append = events.appendMany.bind(events);
  events.appendMany = (drafts) => {
    if (drafts.length > 0) appended();
    return append(drafts);
  };
  return events;
}

/** The port's promise: an unreachable store is `unavailable` (the transports answer 503), not a bug. */
function asOutage(err: unknown): never {
  if (!(err instanceof DomainError) && isDatabaseUnavailable(err)) {
    throw DomainError.unavailable(
      'database.unavailable',
      'The database is unavailable at the moment; nothing was changed. Try again shortly.',
      err,
    );
  }
  throw err;
}

async function withRetry<T>(work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!isRetryable(err)) throw err;
      // A SQLite lock is waited for until the deadline; a MySQL deadlock is retried a few times.
      const busy = isSqliteBusy(err);
      if (busy ? Date.now() - started >= sqliteLockWaitMs : attempt >= maxAttempts) throw err;
      const pause = busy ? Math.min(25 * attempt, 250) : 5 * attempt;
      await new Promise((r) => setTimeout(r, pause + Math.random() * 20));
    }
  }
}
