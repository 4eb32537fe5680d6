import express, { type Express, type Router } from 'express';
import type { Logger } from 'pino';
import { apiRouter, mountAuthorize, type ApiDependencies } from './api/api-router';
import { mountScim, type ScimDependencies, type ScimOptions } from '../scim/scim-router';
import { mountHealthRoutes } from './health-routes';
import { requestContext } from './request-context';
import type { RosterMetrics } from '../metrics/metrics';
import { httpMetrics, mountMetricsRoute } from '../metrics/metrics-routes';
import { samlRouter, type SamlDependencies, type SamlRouteOptions } from '../saml/sp-router';
import { mountSsfDiscovery } from './ssf-discovery';

export interface AppDependencies extends ScimDependencies, ApiDependencies {
  logger: Logger;
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  /** SAML single sign-on at /sso/:accountId/…; absent, those routes are not mounted. */
  saml?: SamlDependencies & SamlRouteOptions;
  /** The sign-in hand-off to products (OpenID Provider) at /oidc; absent when it is off. */
  oidc?: Router;
  /** /metrics and the request timings; absent (no METRICS_TOKEN), neither exists. */
  metrics?: { registry: RosterMetrics; token: string };
}

export interface HttpOptions {
  /** express's `trust proxy` (TRUST_PROXY): who may name the client address in X-Forwarded-For. */
  trustProxy: boolean | number | string[];
}

export function createApp(
  deps: AppDependencies,
  scim: ScimOptions,
  api: { baseUrl: string },
  http: HttpOptions,
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', http.trustProxy);
  app.use(requestContext(deps.logger));
  if (deps.metrics) {
    app.use(httpMetrics(deps.metrics.registry));
    mountMetricsRoute(app, deps.metrics.registry, deps.metrics.token);
  }
  mountAuthorize(app, deps, deps.logger);
  mountScim(app, deps, scim, deps.logger);
  app.use('/api/v1', apiRouter(deps, deps.logger, api.baseUrl));
  if (deps.saml) app.use(samlRouter(deps.saml, deps.saml, deps.logger));
  if (deps.oidc) app.use(deps.oidc);
  mountSsfDiscovery(app, deps.ssf, api.baseUrl.replace(/\/api\/v1$/, ''));
  mountHealthRoutes(app, deps.ping, deps.logger);
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'No such endpoint' } });
  });
  return app;
}
