import type { Express } from 'express';
import type { Config } from './config/schema';
import { createApp } from './adapters/http/app';
import { CursorCodec } from './adapters/scim/cursor';
import { serverSecret } from './adapters/storage/server-secrets';
import { composeServices, type ComposeOverrides, type RosterCore } from './composition-core';

export type { ComposeOverrides, RosterCore, Services } from './composition-core';

/**
 * The server's composition: the services (composition-core.ts) and the HTTP app on top. The CLI
 * composes only the services, so it never loads express, scimmy or the SAML routes (about
 * 12 MiB of a bulk command's RSS; docs/decisions.md).
 */
export interface Roster extends RosterCore {
  app: Express;
}

/** The server's and the tests' Roster: the same services the CLI composes, with the HTTP app. */
export async function compose(config: Config, overrides: ComposeOverrides = {}): Promise<Roster> {
  const core = await composeServices(config, { ...overrides, withMetrics: config.metrics.token !== null });
  const { services, dataSource, catalogue } = core;
  const cursors = new CursorCodec(await serverSecret(dataSource, 'scim-list-cursor'));
  const app = createApp(
    {
      ...services,
      clock: core.clock,
      logger: core.logger,
      ...(core.metrics && config.metrics.token
        ? { metrics: { registry: core.metrics, token: config.metrics.token } }
        : {}),
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
      },
    },
    {
      baseUrl: core.scimBaseUrl,
      cursors,
      maxResults: config.scim.maxResults,
      maxPayloadBytes: config.scim.maxPayloadBytes,
      roleName: (key) => catalogue.role(key)?.name ?? key,
    },
    { baseUrl: `${config.publicUrl}/api/v1` },
  );
  return { ...core, app };
}
