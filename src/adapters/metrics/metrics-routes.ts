import { createHash, timingSafeEqual } from 'node:crypto';
import type { Express, Request, RequestHandler, Response } from 'express';
import type { RosterMetrics } from './metrics';

const knownMethods = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
/** Requests no route answered are counted under their area, so a scan of random paths adds no series. */
const areas = ['/scim/v2', '/api/v1', '/sso'];

/** Times every response under its route pattern (`/scim/v2/Users/:id`), never its raw path. */
export function httpMetrics(metrics: RosterMetrics): RequestHandler {
  return (req: Request, res: Response, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const method = knownMethods.has(req.method) ? req.method : 'OTHER';
      metrics.observeRequest(method, routeOf(req), res.statusCode, seconds);
    });
    next();
  };
}

function routeOf(req: Request): string {
  const route = (req as { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') {
    // A route on a router mounted at baseUrl has a relative path; one on the app has it in full
    // (and baseUrl is then whatever prefix the error handler was mounted at).
    const base = req.baseUrl;
    return base && !route.path.startsWith(`${base}/`) && route.path !== base
      ? `${base}${route.path}`
      : route.path;
  }
  const path = req.originalUrl;
  const area = areas.find((prefix) => path === prefix || path.startsWith(`${prefix}/`));
  return area ? `${area}/(no route)` : '(no route)';
}

/**
 * GET /metrics for a scraper holding the configured bearer token (compared by SHA-256 digest in
 * constant time); anyone else gets 401 and learns nothing.
 */
export function mountMetricsRoute(app: Express, metrics: RosterMetrics, token: string): void {
  const expected = digest(token);
  app.get('/metrics', async (req, res) => {
    const header = req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]), expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      res
        .status(401)
        .json({ error: { code: 'unauthenticated', message: 'Send the metrics token as a Bearer token' } });
      return;
    }
    const { contentType, body } = await metrics.render();
    res.setHeader('Content-Type', contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(body);
  });
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
