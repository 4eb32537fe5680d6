import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { Actor } from '../../domain/actor';

const requestIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Gives each request an id (the caller's X-Request-Id when it is sane) and writes one log line
 * when the response is finished: id, method, path, status, duration and account. Never headers
 * or bodies, so no token reaches the log. Cheaper than a child logger per request (pino-http),
 * which cost as much as the rest of a GET (docs/benchmarks.md).
 */
export function requestContext(logger: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    res.on('finish', () => {
      const actor = res.locals.actor as Actor | undefined;
      const line = {
        req: { id, method: req.method, path: req.originalUrl.split('?')[0] },
        res: { status: res.statusCode },
        responseTime: Number(process.hrtime.bigint() - started) / 1e6,
        ...(actor ? { accountId: actor.accountId } : {}),
      };
      if (res.statusCode >= 500) logger.error(line, 'request completed');
      else logger.info(line, 'request completed');
    });
    next();
  };
}

export function requestIdOf(res: Response): string {
  return String(res.locals.requestId ?? 'unknown');
}
