import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { DomainError, type ErrorKind } from '../../../domain/errors';
import { requestIdOf } from '../request-context';
import { RateLimitedError } from '../rate-limits';
import { retryOutageAfterSeconds } from '../outage';
import { requestRefusalOf } from '../request-refusals';

/** The admin API's one mapping from domain error kinds to HTTP statuses (R5). */
const statusByKind = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition: 412,
  held: 503,
  unavailable: 503,
} as const satisfies Record<ErrorKind, number>;

export function sendApiError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** JSON errors with a stable code; a bug is a 500 whose message carries the request id, never details. */
export function apiErrorHandler(logger: Logger) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    if (err instanceof RateLimitedError) {
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
      return sendApiError(res, 429, 'rate_limited', err.message);
    }
    if (err instanceof DomainError && err.kind === 'unavailable') {
      logger.warn({ err, requestId: requestIdOf(res) }, 'admin API request failed: database unavailable');
      res.setHeader('Retry-After', String(retryOutageAfterSeconds));
    }
    if (err instanceof DomainError) return sendApiError(res, statusByKind[err.kind], err.code, err.message);
    if (err instanceof z.ZodError) {
      const issue = err.issues[0];
      return sendApiError(res, 400, 'request.invalid', `${issue.path.join('.') || 'body'}: ${issue.message}`);
    }
    const refusal = requestRefusalOf(err);
    if (refusal) return sendApiError(res, refusal.status, refusal.code, refusal.message);
    const requestId = requestIdOf(res);
    logger.error({ err, requestId }, 'admin API request failed');
    sendApiError(res, 500, 'internal', `Internal error; quote request id ${requestId} when reporting it`);
  };
}
