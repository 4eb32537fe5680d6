import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Actor } from '../../../domain/actor';
import type { AuthorizationService } from '../../../domain/access/authorization-service';
import type { AuditService } from '../../../domain/audit/audit-service';
import type { ApiKeyService } from '../../../domain/tokens/api-key-service';
import { requestIdOf } from '../request-context';
import { apiErrorHandler, sendApiError } from './api-errors';

export interface ApiDependencies {
  apiKeys: ApiKeyService;
  authorization: AuthorizationService;
  audit: AuditService;
}

const authorizeBody = z.strictObject({
  /** The user's id or userName. */
  user: z.string().min(1),
  permission: z.string().min(1),
});

const auditQuery = z.strictObject({
  limit: z.coerce.number().int().optional(),
  cursor: z.coerce.number().int().positive().optional(),
  actor: z.string().optional(),
  subject: z.string().optional(),
  action: z.string().optional(),
  since: z.coerce.date().optional(),
  until: z.coerce.date().optional(),
});

/**
 * The admin and authorization API at /api/v1 (JSON). Authenticated by API keys; each route
 * validates its body once and calls one domain service with the key's actor.
 */
export function apiRouter(deps: ApiDependencies, logger: Logger): Router {
  const router = Router();
  router.use(express.json({ limit: '256kb' }));
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!match)
      return sendApiError(res, 401, 'api_key.missing', 'Authorization: Bearer <API key> is required');
    res.locals.actor = await deps.apiKeys.authenticate(match[1], requestIdOf(res));
    next();
  });

  router.post('/authorize', async (req, res) => {
    const body = authorizeBody.parse(req.body);
    res.json(await deps.authorization.authorize(res.locals.actor as Actor, body.user, body.permission));
  });

  router.get('/audit', async (req, res) => {
    const query = auditQuery.parse(req.query);
    const page = await deps.audit.list(res.locals.actor as Actor, {
      limit: query.limit,
      before: query.cursor,
      actorId: query.actor,
      subjectId: query.subject,
      action: query.action,
      since: query.since?.getTime(),
      until: query.until?.getTime(),
    });
    res.json({
      events: page.events.map((e) => ({ ...e, occurredAt: new Date(e.occurredAt).toISOString() })),
      nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
    });
  });

  router.use((_req, res) => sendApiError(res, 404, 'not_found', 'No such endpoint'));
  router.use(apiErrorHandler(logger));
  return router;
}
