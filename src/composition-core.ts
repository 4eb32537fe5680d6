import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { loadCatalogue } from './config/catalogue';
import type { Config } from './config/schema';
import type { Catalogue } from './domain/access/catalogue';
import { AccessPolicy } from './domain/access/policy';
import { RoleRecomputer } from './domain/access/role-recompute';
import { AccountService } from './domain/accounts/account-service';
import { AuditService } from './domain/audit/audit-service';
import { OwnershipService } from './domain/accounts/ownership-service';
import { RoleService } from './domain/access/role-service';
import { MemberService } from './domain/access/member-service';
import { MappingService } from './domain/role-mapping/mapping-service';
import { GroupService } from './domain/groups/group-service';
import type { Clock, IdGenerator, UnitOfWork } from './domain/ports';
import { ScimTokenService } from './domain/tokens/scim-token-service';
import { ApiKeyService } from './domain/tokens/api-key-service';
import { AuthorizationService } from './domain/access/authorization-service';
import { UserService } from './domain/users/user-service';
import { JobRunner } from './jobs/runner';
import { SupportAccessService } from './domain/support-access/support-access-service';
import { SupportExpiryJob } from './jobs/support-expiry.job';
import { InvitationService } from './domain/invitations/invitation-service';
import { DeprovisioningBrake } from './domain/users/deprovisioning-brake';
import { InactivityService } from './domain/lifecycle/inactivity-service';
import { InactivityJob } from './jobs/inactivity.job';
import { InvitationExpiryJob } from './jobs/invitation-expiry.job';
import { MfaPolicyService } from './domain/mfa/mfa-policy-service';
import { HrSyncService } from './domain/hr-sync/hr-sync-service';
import { HrDueDatesJob } from './jobs/hr-due-dates.job';
import { sha256SecretCodec, systemClock, uuidGenerator } from './adapters/crypto/secrets';
import { createLogger } from './adapters/http/logger';
import { openDataSource } from './adapters/storage/data-source';
import { TypeOrmUnitOfWork } from './adapters/storage/unit-of-work';
import { dialectOf } from './adapters/storage/dialect';
import { RosterMetrics } from './adapters/metrics/metrics';
import { ChildAccountService } from './domain/accounts/child-account-service';
import { SsoConfigService } from './domain/sso/sso-config-service';
import { SignInService } from './domain/sso/sign-in-service';
import { SessionService } from './domain/sso/session-service';
import { readIdpMetadata } from './adapters/saml/idp-metadata';
import { TotpStepUpService } from './domain/mfa/totp-step-up-service';
import { totpCrypto } from './adapters/crypto/totp';

export interface Services {
  accounts: AccountService;
  users: UserService;
  groups: GroupService;
  mappings: MappingService;
  roles: RoleService;
  ownership: OwnershipService;
  tokens: ScimTokenService;
  apiKeys: ApiKeyService;
  authorization: AuthorizationService;
  audit: AuditService;
  members: MemberService;
  support: SupportAccessService;
  invitations: InvitationService;
  deprovisioning: DeprovisioningBrake;
  inactivity: InactivityService;
  children: ChildAccountService;
  mfa: MfaPolicyService;
  sso: SsoConfigService;
  signIns: SignInService;
  sessions: SessionService;
  hrSync: HrSyncService;
  stepUp: TotpStepUpService;
}

/** Everything but the HTTP app: what the CLI and the jobs need. */
export interface RosterCore {
  config: Config;
  catalogue: Catalogue;
  dataSource: DataSource;
  uow: UnitOfWork;
  services: Services;
  /** The sweeps; main.ts runs them on an interval, `roster jobs run` on demand. */
  jobs: JobRunner;
  logger: Logger;
  clock: Clock;
  scimBaseUrl: string;
  /** The server's metrics, when METRICS_TOKEN turns them on (never in the CLI). */
  metrics?: RosterMetrics;
  close(): Promise<void>;
}

export interface ComposeOverrides {
  clock?: Clock;
  ids?: IdGenerator;
  logger?: Logger;
  /** Measure queries, the pool and jobs for /metrics (the server, when METRICS_TOKEN is set). */
  withMetrics?: boolean;
}

/**
 * The composition root: the only place that opens the database and constructs services. The
 * server, the CLI and the tests all start here, so they run the same code (the CLI without HTTP).
 */
export async function composeServices(config: Config, overrides: ComposeOverrides = {}): Promise<RosterCore> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  // A broken catalogue stops the start before the database is touched (names the file and key).
  const catalogue = loadCatalogue(config.roleCatalogue);
  const dataSource = await openDataSource(config.databaseUrl);
  let metrics: RosterMetrics | undefined;
  const uow = new TypeOrmUnitOfWork(
    dataSource,
    overrides.withMetrics ? (kind, seconds) => metrics?.observeQuery(kind, seconds) : undefined,
  );
  if (overrides.withMetrics) metrics = new RosterMetrics(dialectOf(dataSource), () => uow.poolState());
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? uuidGenerator;
  const roles = new RoleRecomputer(catalogue, clock);
  const policy = new AccessPolicy(catalogue, clock);
  const brake = new DeprovisioningBrake(uow, clock, policy, config.deactivationBrake);
  const users = new UserService(uow, clock, ids, roles, policy, brake);
  const services: Services = {
    accounts: new AccountService(uow, clock, ids, roles, policy),
    users,
    inactivity: new InactivityService(uow, clock, users, policy),
    groups: new GroupService(uow, clock, ids, roles),
    mappings: new MappingService(uow, clock, ids, catalogue, roles, policy),
    roles: new RoleService(uow, clock, catalogue, roles, policy),
    ownership: new OwnershipService(uow, clock, catalogue, roles),
    tokens: new ScimTokenService(uow, clock, ids, sha256SecretCodec),
    apiKeys: new ApiKeyService(uow, clock, ids, sha256SecretCodec),
    authorization: new AuthorizationService(uow, catalogue),
    audit: new AuditService(uow, policy),
    members: new MemberService(uow, catalogue, policy),
    support: new SupportAccessService(uow, clock, ids, sha256SecretCodec, policy),
    deprovisioning: brake,
    invitations: new InvitationService(uow, clock, ids, sha256SecretCodec, catalogue, roles, policy),
    children: new ChildAccountService(uow, clock, ids, catalogue, roles, policy),
    mfa: new MfaPolicyService(uow, clock, catalogue, policy),
    sso: new SsoConfigService(uow, clock, policy, readIdpMetadata),
    signIns: new SignInService(uow, clock, catalogue),
    sessions: new SessionService(uow, clock, ids, sha256SecretCodec, catalogue),
    hrSync: new HrSyncService(uow, clock, ids, users, config.hrSync.maxDeactivationShare),
    stepUp: new TotpStepUpService(
      uow,
      clock,
      sha256SecretCodec,
      totpCrypto(config.mfaTotpKey),
      catalogue,
      policy,
    ),
  };
  const jobs = new JobRunner(
    uow,
    clock,
    [
      new SupportExpiryJob(services.support),
      new InvitationExpiryJob(services.invitations),
      new InactivityJob(services.inactivity),
      new HrDueDatesJob(services.hrSync),
    ],
    `${hostname()}:${process.pid}`,
    undefined,
    metrics ? (job, outcome, seconds, at) => metrics?.observeJob(job, outcome, seconds, at) : undefined,
  );
  const scimBaseUrl = `${config.publicUrl}/scim/v2`;
  return {
    config,
    catalogue,
    dataSource,
    uow,
    services,
    jobs,
    logger,
    clock,
    scimBaseUrl,
    ...(metrics ? { metrics } : {}),
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
