import type { Express } from 'express';
import type { Logger } from 'pino';
import { requestIdOf } from './request-context';

/** Liveness says the process answers; readiness says the database does too. */
export function mountHealthRoutes(app: Express, ping: () => Promise<void>, logger: Logger): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await ping();
      res.json({ status: 'ready', database: 'ok' });
    } catch (err) {
      logger.warn({ err, requestId: requestIdOf(res) }, 'readiness check failed');
      res.status(503).json({ status: 'unavailable', database: 'unreachable' });
    }
  });
}
