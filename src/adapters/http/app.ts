import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { apiRouter, mountAuthorize, type ApiDependencies } from './api/api-router';
import { mountScim, type ScimDependencies, type ScimOptions } from '../scim/scim-router';
import { mountHealthRoutes } from './health-routes';
import { requestContext } from './request-context';
import type { RosterMetrics } from '../metrics/metrics';
import { httpMetrics, mountMetricsRoute } from '../metrics/metrics-routes';
import { samlRouter, type SamlDependencies, type SamlRouteOptions } from '../saml/sp-router';

export interface AppDependencies extends ScimDependencies, ApiDependencies {
  logger: Logger;
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  /** SAML single sign-on at /sso/:accountId/…; absent, those routes are not mounted. */
  saml?: SamlDependencies & SamlRouteOptions;
  /** /metrics and the request timings; absent (no METRICS_TOKEN), neither exists. */
  metrics?: { registry: RosterMetrics; token: string };
}

export function createApp(deps: AppDependencies, scim: ScimOptions, api: { baseUrl: string }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', true);
  app.use(requestContext(deps.logger));
  if (deps.metrics) {
    app.use(httpMetrics(deps.metrics.registry));
    mountMetricsRoute(app, deps.metrics.registry, deps.metrics.token);
  }
  mountAuthorize(app, deps, deps.logger);
  mountScim(app, deps, scim, deps.logger);
  app.use('/api/v1', apiRouter(deps, deps.logger, api.baseUrl));
  if (deps.saml) app.use(samlRouter(deps.saml, deps.saml, deps.logger));
  mountHealthRoutes(app, deps.ping, deps.logger);
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'No such endpoint' } });
  });
  return app;
}
