import type { Express } from 'express';
import type { Config } from './config/schema';
import { createApp } from './adapters/http/app';
import { composeServices, type ComposeOverrides, type RosterCore } from './composition-core';
import { oidcRouter } from './adapters/oidc/oidc-router';
import { oidcStore } from './adapters/oidc/oidc-store';
import { derivedCookieKeys } from './adapters/crypto/signing-keys';

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
  const core = await composeServices(config, overrides);
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
          },
          {
            issuer: core.oidcIssuer,
            cookieKeys: config.oidc.cookieKeys ?? derivedCookieKeys(config.oidc.keyEncryptionKey),
            adapter: oidcStore(core.uow, core.clock),
          },
          core.logger,
        )
      : null;
  const app = createApp(
    {
      ...services,
      clock: core.clock,
      logger: core.logger,
      ping: async () => {
        await dataSource.query('SELECT 1');
      },
      saml: {
        ssoConfig: services.sso,
        signIns: services.signIns,
        stepUp: services.stepUp,
        sessions: services.sessions,
        clock: core.clock,
        publicUrl: config.publicUrl,
        clockSkewSeconds: config.sso.clockSkewSeconds,
        spKey: config.sso.spKey,
      },
      oidc: oidc?.router,
    },
    {
      baseUrl: core.scimBaseUrl,
      maxResults: config.scim.maxResults,
      maxPayloadBytes: config.scim.maxPayloadBytes,
      roleName: (key) => catalogue.role(key)?.name ?? key,
    },
    { baseUrl: `${config.publicUrl}/api/v1` },
  );
  return { ...core, app, oidcProvider: oidc?.provider ?? null };
}
