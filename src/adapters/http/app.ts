import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { Actor } from '../../domain/actor';
import { scimRouter, type ScimDependencies, type ScimOptions } from '../scim/scim-router';
import { healthRoutes } from './health-routes';

export interface AppDependencies extends ScimDependencies {
  logger: Logger;
  /** Resolves when the database answers. */
  ping(): Promise<void>;
}

const requestIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

export function createApp(deps: AppDependencies, scim: ScimOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', true);
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // One line per request: method, path, status, duration, account; never headers or bodies.
      serializers: {
        req: (req) => ({ id: req.id, method: req.method, path: String(req.url).split('?')[0] }),
        res: (res) => ({ status: res.statusCode }),
      },
      customProps: (_req, res) => {
        const actor = (res as unknown as { locals?: { actor?: Actor } }).locals?.actor;
        return actor ? { accountId: actor.accountId } : {};
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );
  app.use(healthRoutes(deps.ping));
  app.use('/scim/v2', scimRouter(deps, scim));
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'No such endpoint' } });
  });
  return app;
}
