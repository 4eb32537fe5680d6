import type { Express } from 'express';
import type { Config } from './config/schema';
import { createApp } from './adapters/http/app';
import { CursorCodec } from './adapters/scim/cursor';
import { serverSecret } from './adapters/storage/server-secrets';
import { composeServices, type ComposeOverrides, type RosterCore } from './composition-core';
import { oidcRouter } from './adapters/oidc/oidc-router';
import { oidcStore } from './adapters/oidc/oidc-store';
import { singleLogout } from './adapters/saml/single-logout';
import { derivedCookieKeys } from './adapters/crypto/signing-keys';
import { rateLimits, type RateLimits } from './adapters/http/rate-limits';
import { deleteExpiredCounters, sharedCounter } from './adapters/storage/rate-limit-store';

export type { ComposeOverrides, RosterCore, Services } from './composition-core';

/**
 * The server's composition: the services (composition-core.ts) and the HTTP app on top. The CLI
 * composes only the services, so it never loads express, scimmy or the SAML routes (about
 * 12 MiB of a bulk command's RSS; docs/decisions.md).
 */
export interface Roster extends RosterCore {
  app: Express;
  /** The OpenID Provider as this instance built it (tests look inside); null when the hand-off is off. */
  oidcProvider: (() => Promise<import('oidc-provider').default>) | null;
}

/** The server's and the tests' Roster: the same services the CLI composes, with the HTTP app. */
export async function compose(config: Config, overrides: ComposeOverrides = {}): Promise<Roster> {
  const core = await composeServices(config, { ...overrides, withMetrics: config.metrics.token !== null });
  const { services, dataSource, catalogue } = core;
  const oidc =
    config.oidc && services.signingKeys
      ? oidcRouter(
          {
            handOff: services.handOff,
            sessions: services.sessions,
            ssoConfig: services.sso,
            signingKeys: services.signingKeys,
            clock: core.clock,
            singleLogout: singleLogout(
              { ssoConfig: services.sso, signIns: services.signIns },
              { publicUrl: config.publicUrl, spKey: config.sso.spKey },
            ),
            ...(core.backchannel ? { backchannel: core.backchannel } : {}),
          },
          {
            issuer: core.oidcIssuer,
            cookieKeys: config.oidc.cookieKeys ?? derivedCookieKeys(config.oidc.keyEncryptionKey),
            adapter: oidcStore(core.uow, core.clock),
          },
          core.logger,
        )
      : null;
  const limits = serverRateLimits(core);
  const cursors = new CursorCodec(await serverSecret(dataSource, core.uow, 'scim-list-cursor'));
  const app = createApp(
    {
      ...services,
      rateLimits: limits.rateLimits,
      clock: core.clock,
      logger: core.logger,
      ...(core.metrics && config.metrics.token
        ? { metrics: { registry: core.metrics, token: config.metrics.token } }
        : {}),
      ssfLongPollMs: config.ssf.longPollSeconds * 1000,
      ping: async () => {
        await dataSource.query('SELECT 1');
      },
      saml: {
        ssoConfig: services.sso,
        signIns: services.signIns,
        stepUp: services.stepUp,
        sessions: services.sessions,
        clock: core.clock,
        rateLimits: limits.rateLimits,
        publicUrl: config.publicUrl,
        clockSkewSeconds: config.sso.clockSkewSeconds,
        spKey: config.sso.spKey,
      },
      oidc: oidc?.router,
    },
    {
      baseUrl: core.scimBaseUrl,
      cursors,
      maxResults: config.scim.maxResults,
      maxPayloadBytes: config.scim.maxPayloadBytes,
      roleName: (key) => catalogue.role(key)?.name ?? key,
    },
    { baseUrl: `${config.publicUrl}/api/v1` },
    { trustProxy: config.trustProxy },
  );
  return {
    ...core,
    app,
    oidcProvider: oidc?.provider ?? null,
    close: async () => {
      limits.stop();
      await core.close();
    },
  };
}

/** How often counters whose window has long ended are deleted. */
const counterSweepMs = 5 * 60_000;

/** The rate limits (RATE_LIMIT_*), counted in the database every instance shares. */
function serverRateLimits(core: RosterCore): { rateLimits: RateLimits; stop(): void } {
  const { dataSource, uow, config, logger } = core;
  const window = config.rateLimits.windowSeconds;
  const counters = {
    failures: sharedCounter(dataSource, uow, {
      keyPrefix: 'auth-failures',
      points: config.rateLimits.authFailures,
      durationSeconds: window,
      blockInMemory: true,
    }),
    requests: sharedCounter(dataSource, uow, {
      keyPrefix: 'requests',
      points: config.rateLimits.requestsPerCredential,
      durationSeconds: window,
    }),
  };
  const sweep = setInterval(() => {
    deleteExpiredCounters(dataSource, uow, Date.now()).catch((err: unknown) =>
      logger.warn({ err }, 'could not delete expired rate-limit counters'),
    );
  }, counterSweepMs);
  sweep.unref();
  return { rateLimits: rateLimits(config.rateLimits, counters, logger), stop: () => clearInterval(sweep) };
}
