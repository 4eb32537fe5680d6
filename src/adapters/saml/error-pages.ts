import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { isDomainError } from '../../domain/errors';
import { retryOutageAfterSeconds } from '../http/outage';
import { RateLimitedError } from '../http/rate-limits';
import { requestIdOf } from '../http/request-context';
import { requestRefusalOf } from '../http/request-refusals';
import { escape, page, requestRefusedPage } from './pages';

/**
 * What a person sees when a sign-in page fails: a plain page with the request id, never a stack
 * trace. A request that cannot be read (too large, a broken path) is refused with its 4xx; an outage and a rate limit say to try again (503 or 429, with Retry-After).
 */
export function ssoErrorHandler(logger: Logger) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const requestId = requestIdOf(res);
    const reference = `<p><small>Reference: ${escape(requestId)}</small></p>`;
    const refusal = requestRefusalOf(err);
    if (refusal) {
      res.status(refusal.status).type('html').send(requestRefusedPage(refusal.message, requestId));
      return;
    }
    if (err instanceof RateLimitedError) {
      res
        .status(429)
        .setHeader('Retry-After', String(err.retryAfterSeconds))
        .type('html')
        .send(
          page(
            'Too many failed sign-ins',
            `<h1>Too many failed sign-ins</h1><p id="reason" data-reason="rate_limited">Too many sign-ins from your network were refused just now.</p>` +
              `<p>Wait ${err.retryAfterSeconds} seconds, then start again from your company sign-in page.</p>${reference}`,
          ),
        );
      return;
    }
    if (isDomainError(err) && err.kind === 'unavailable') {
      logger.warn({ err, requestId }, 'SSO request failed: database unavailable');
      res
        .status(503)
        .setHeader('Retry-After', String(retryOutageAfterSeconds))
        .type('html')
        .send(
          page(
            'Sign-in unavailable',
            `<h1>Sign-in is unavailable for a moment</h1><p id="reason" data-reason="unavailable">Roster cannot reach its database right now; nothing was changed.</p>` +
              `<p>Try again in a minute from your company sign-in page.</p>${reference}`,
          ),
        );
      return;
    }
    logger.error({ err, requestId }, 'SSO request failed');
    res
      .status(500)
      .type('html')
      .send(
        `<!doctype html><title>Sign-in failed</title><h1>Sign-in failed</h1><p>Roster could not finish this sign-in. Try again; if it keeps failing, quote reference ${requestId}.</p>`,
      );
  };
}
