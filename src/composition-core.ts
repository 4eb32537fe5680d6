import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { loadCatalogue } from './config/catalogue';
import type { Config } from './config/schema';
import type { Catalogue } from './domain/access/catalogue';
import { RuleBook } from './domain/access/rule-book';
import { RoleRecomputer } from './domain/access/role-recompute';
import { AccountService } from './domain/accounts/account-service';
import { AuditService } from './domain/audit/audit-service';
import { OwnershipService } from './domain/accounts/ownership-service';
import { RoleService } from './domain/access/role-service';
import { MemberService } from './domain/access/member-service';
import { MappingService } from './domain/role-mapping/mapping-service';
import { GroupService } from './domain/groups/group-service';
import type { Clock, IdGenerator } from './domain/ports';
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
import { ClientService } from './domain/oidc/client-service';
import { AccountDomainService } from './domain/oidc/account-domain-service';
import { HandOffService } from './domain/oidc/hand-off-service';
import { SigningKeyService } from './domain/oidc/signing-key-service';
import { signingKeyCrypto } from './adapters/crypto/signing-keys';
import { BackchannelLogout } from './adapters/oidc/backchannel-logout';
import { OidcSweepJob } from './jobs/oidc-sweep.job';
import { EventsRetentionJob } from './jobs/events-retention.job';
import type { EventFeed } from './domain/events/event-ports';
import { OutboxFeed } from './domain/events/outbox-feed';
import type { DeliveryTransport } from './domain/delivery/delivery-ports';
import { DeliveryEngine, type Sender } from './domain/delivery/delivery-engine';
import { WebhookService } from './domain/delivery/webhook-service';
import { webhookSecretCrypto } from './adapters/crypto/webhook-secrets';
import { outboundUrlCheck } from './adapters/outbound/url-check';
import { OutboundError, postBounded } from './adapters/outbound/post';
import { WebhookTransport } from './adapters/outbound/webhook-transport';
import { DeliveryLoop } from './jobs/delivery-loop';
import { EventsService } from './domain/events/events-service';
import { composeSharedSignals } from './composition-ssf';
import type { StreamService } from './domain/ssf/stream-service';
import type { PollDelivery } from './domain/ssf/poll-delivery';

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
  clients: ClientService;
  domains: AccountDomainService;
  handOff: HandOffService;
  /** Null without OIDC_KEY_ENCRYPTION_KEY: the sign-in hand-off is off. */
  signingKeys: SigningKeyService | null;
  webhooks: WebhookService;
  /** The change feed's pages: one account's through the rule book, every account's for the CLI. */
  events: EventsService;
  /** Shared Signals streams; off (every call refused) without OIDC_KEY_ENCRYPTION_KEY. */
  ssf: StreamService;
  ssfPoll: PollDelivery;
}

/** Everything but the HTTP app: what the CLI and the jobs need. */
export interface RosterCore {
  config: Config;
  catalogue: Catalogue;
  dataSource: DataSource;
  /** The storage adapter's unit of work (the rate limiter's store also queues on it). */
  uow: TypeOrmUnitOfWork;
  services: Services;
  /** The change feed (docs/events.md): events of every account, oldest first, by position. */
  events: EventFeed;
  /** Pushes events to webhook endpoints (and other transports' targets); main.ts starts it. */
  delivery: DeliveryLoop;
  /** The sweeps; main.ts runs them on an interval, `roster jobs run` on demand. */
  jobs: JobRunner;
  logger: Logger;
  clock: Clock;
  scimBaseUrl: string;
  /** `${PUBLIC_URL}/oidc`: the OpenID Provider's issuer. */
  oidcIssuer: string;
  /** Tells products about sessions Roster ended; null when the hand-off is off. */
  backchannel: BackchannelLogout | null;
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
  const oidcIssuer = `${config.publicUrl}/oidc`;
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? uuidGenerator;
  const roles = new RoleRecomputer(catalogue, clock);
  const rules = new RuleBook(catalogue, clock);
  const brake = new DeprovisioningBrake(uow, clock, rules, config.deactivationBrake);
  const users = new UserService(uow, clock, ids, roles, rules, brake);
  const feed = new OutboxFeed(uow);
  const signingKeys = config.oidc
    ? new SigningKeyService(uow, clock, signingKeyCrypto(config.oidc.keyEncryptionKey))
    : null;
  const secretCrypto = webhookSecretCrypto(config.eventsEncryptionKey);
  const send = boundedSender(config);
  const ssf = composeSharedSignals(config, {
    uow,
    clock,
    ids,
    rules,
    events: feed,
    signingKeys,
    send,
    logger,
  });
  const services: Services = {
    accounts: new AccountService(uow, clock, ids, roles, rules, users),
    users,
    inactivity: new InactivityService(uow, clock, users, rules),
    groups: new GroupService(uow, clock, ids, roles, rules, brake),
    mappings: new MappingService(uow, clock, ids, catalogue, roles, rules),
    roles: new RoleService(uow, clock, catalogue, roles, rules),
    ownership: new OwnershipService(uow, clock, catalogue, roles, rules),
    tokens: new ScimTokenService(uow, clock, ids, sha256SecretCodec, rules),
    apiKeys: new ApiKeyService(uow, clock, ids, sha256SecretCodec, rules),
    authorization: new AuthorizationService(uow, catalogue, rules),
    audit: new AuditService(uow, rules),
    members: new MemberService(uow, catalogue, rules),
    support: new SupportAccessService(uow, clock, ids, sha256SecretCodec, rules),
    deprovisioning: brake,
    invitations: new InvitationService(uow, clock, ids, sha256SecretCodec, catalogue, roles, rules, users),
    children: new ChildAccountService(uow, clock, ids, catalogue, roles, rules, users),
    mfa: new MfaPolicyService(uow, clock, catalogue, rules, users, config.mfaTotpKey !== null),
    sso: new SsoConfigService(uow, clock, rules, readIdpMetadata),
    signIns: new SignInService(uow, clock, catalogue, rules, config.mfaTotpKey !== null),
    sessions: new SessionService(uow, clock, ids, sha256SecretCodec, catalogue, rules),
    hrSync: new HrSyncService(uow, clock, ids, users, config.hrSync.maxDeactivationShare),
    stepUp: new TotpStepUpService(
      uow,
      clock,
      sha256SecretCodec,
      totpCrypto(config.mfaTotpKey),
      catalogue,
      rules,
    ),
    clients: new ClientService(uow, clock, ids, sha256SecretCodec),
    domains: new AccountDomainService(uow, clock, rules),
    handOff: new HandOffService(uow, clock, catalogue, rules),
    signingKeys,
    events: new EventsService(uow, rules, feed),
    ssf: ssf.streams,
    ssfPoll: ssf.poll,
    webhooks: new WebhookService(
      uow,
      clock,
      ids,
      rules,
      secretCrypto,
      outboundUrlCheck(config.outbound.allowPrivate),
      feed,
      { secretOverlapMs: config.delivery.secretOverlapMs },
    ),
  };
  // Each transport's targets live in delivery_targets under its kind (an SSF push stream is one).
  const deliveryTransports: DeliveryTransport[] = [
    new WebhookTransport(uow, secretCrypto, clock),
    ssf.transport,
  ];
  const delivery = new DeliveryLoop(
    new DeliveryEngine(uow, clock, ids, feed, deliveryTransports, send, {
      retry: {
        baseMs: config.delivery.retryBaseMs,
        maxMs: config.delivery.retryMaxMs,
        maxAgeMs: config.delivery.maxAgeMs,
        disableAfterMs: config.delivery.disableAfterMs,
      },
      leaseMs: config.delivery.timeoutMs + 30_000,
      fanOutBatch: 1_000,
    }),
    { pollMs: config.delivery.pollMs, concurrency: config.delivery.concurrency },
    logger,
  );
  uow.setEventsCommittedListener(() => delivery.wake());
  const backchannel = signingKeys
    ? new BackchannelLogout({
        issuer: oidcIssuer,
        keys: () => signingKeys.published(),
        client: (id) => services.clients.get(id),
        logger,
      })
    : null;
  if (backchannel) uow.setCommitEffectHandler((effects) => backchannel.deliver(effects));
  const jobs = new JobRunner(
    uow,
    clock,
    [
      new SupportExpiryJob(services.support),
      new InvitationExpiryJob(services.invitations),
      new InactivityJob(services.inactivity),
      new HrDueDatesJob(services.hrSync),
      new OidcSweepJob(services.handOff),
      new EventsRetentionJob(services.events, config.events.retentionDays),
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
    events: feed,
    delivery,
    jobs,
    logger,
    clock,
    scimBaseUrl,
    oidcIssuer,
    backchannel,
    ...(metrics ? { metrics } : {}),
    close: async () => {
      await delivery.stop();
      // A CLI command that deactivated someone waits for the products to be told before it exits.
      await backchannel?.settled();
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}

/** How much of a receiver's answer is read (the log keeps its start). */
const maxAnswerBytes = 64 * 1024;

/** Sends a rendered delivery with postBounded, as the operator bounded outbound requests. */
function boundedSender(config: Config): Sender {
  return async (request) => {
    try {
      const answer = await postBounded(request.url, {
        headers: request.headers,
        body: request.body,
        timeoutMs: config.delivery.timeoutMs,
        maxResponseBytes: maxAnswerBytes,
        allowPrivate: config.outbound.allowPrivate,
      });
      return { status: answer.status, body: answer.body.slice(0, 200) };
    } catch (err) {
      if (err instanceof OutboundError) return { status: null, error: `${err.code}: ${err.message}` };
      throw err;
    }
  };
}
