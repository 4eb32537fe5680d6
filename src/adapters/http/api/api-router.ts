import { createHash } from 'node:crypto';
import {
  Router,
  type Express,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AuthorizationService } from '../../../domain/access/authorization-service';
import type { AuditService } from '../../../domain/audit/audit-service';
import type { ApiKeyService } from '../../../domain/tokens/api-key-service';
import type { MappingService } from '../../../domain/role-mapping/mapping-service';
import { DomainError } from '../../../domain/errors';
import { jsonBody } from '../json-body';
import { requestIdOf } from '../request-context';
import type { RateLimits } from '../rate-limits';
import { refuseUndecodablePath } from '../request-refusals';
import { accountRoutes, type AccountRouteServices } from './account-routes';
import { apiErrorHandler, sendApiError } from './api-errors';
import { apiRoute, registerRoutes, routeHandler, type ApiRoute } from './api-route';
import { auditPage, authorizeAnswer, errorBody } from './api-schemas';
import { mappingRoutes } from './mapping-routes';
import { memberRoutes, type MemberRouteServices } from './member-routes';
import { supportRoutes } from './support-routes';
import { invitationRoutes } from './invitation-routes';
import { deprovisioningRoutes } from './deprovisioning-routes';
import { inactivityRoutes } from './inactivity-routes';
import type { InactivityService } from '../../../domain/lifecycle/inactivity-service';
import type { DeprovisioningBrake } from '../../../domain/users/deprovisioning-brake';
import type { InvitationService } from '../../../domain/invitations/invitation-service';
import type { SupportAccessService } from '../../../domain/support-access/support-access-service';
import type { Clock } from '../../../domain/ports';
import { openApiDocument } from './openapi';
import { childRoutes } from './child-routes';
import type { ChildAccountService } from '../../../domain/accounts/child-account-service';
import { mfaRoutes, type MfaRouteServices } from './mfa-routes';
import { ssoRoutes } from './sso-routes';
import type { SsoConfigService } from '../../../domain/sso/sso-config-service';
import type { SessionService } from '../../../domain/sso/session-service';
import { csrfHeader, csrfMatches, isSafeMethod, readSessionCookie } from '../session-cookie';
import { meRoutes } from './me-routes';
import { domainRoutes } from './domain-routes';
import type { AccountDomainService } from '../../../domain/oidc/account-domain-service';
import { apiKeyRoutes } from './api-key-routes';
import { webhookRoutes } from './webhook-routes';
import type { WebhookService } from '../../../domain/delivery/webhook-service';
import { eventRoutes } from './event-routes';
import type { EventsService } from '../../../domain/events/events-service';
import { ssfRoutes, type SsfRouteDependencies } from './ssf-routes';

export interface ApiDependencies
  extends MemberRouteServices, AccountRouteServices, MfaRouteServices, SsfRouteDependencies {
  rateLimits: RateLimits;
  apiKeys: ApiKeyService;
  authorization: AuthorizationService;
  audit: AuditService;
  mappings: MappingService;
  support: SupportAccessService;
  invitations: InvitationService;
  deprovisioning: DeprovisioningBrake;
  inactivity: InactivityService;
  clock: Clock;
  children: ChildAccountService;
  sso: SsoConfigService;
  sessions: SessionService;
  domains: AccountDomainService;
  webhooks: WebhookService;
  events: EventsService;
  /** How long an SSF poll without returnImmediately waits for SETs (SSF_LONG_POLL_SECONDS). */
  ssfLongPollMs: number;
}

const authorizeBody = z.strictObject({
  /** The user's id or userName. */
  user: z.string().min(1),
  permission: z.string().min(1),
  /** A child account of the caller's account: asks about the user's access there. */
  account: z.string().min(1).optional(),
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

const refused = { description: 'Refused; the error says why', schema: errorBody };

function authorizeRoute(deps: ApiDependencies): ApiRoute {
  return apiRoute({
    method: 'post',
    path: '/authorize',
    summary: 'May this user do this, on this account, right now? (the hot path)',
    action: 'authorize',
    body: authorizeBody,
    responses: {
      200: { description: 'The answer, with the role and the reason', schema: authorizeAnswer },
      400: { description: 'Unknown permission or a malformed body', schema: errorBody },
      403: refused,
    },
    handle: ({ actor, body }) =>
      deps.authorization.authorize(actor, body.user, body.permission, body.account),
  });
}

function coreRoutes(deps: ApiDependencies): ApiRoute[] {
  return [
    authorizeRoute(deps),
    apiRoute({
      method: 'get',
      path: '/audit',
      summary: 'The audit log, newest first, cursor-paged, filtered by actor, subject, action and time',
      action: 'audit.view',
      query: auditQuery,
      responses: { 200: { description: 'A page of events', schema: auditPage }, 400: refused, 403: refused },
      handle: async ({ actor, query }) => {
        const page = await deps.audit.list(actor, {
          limit: query.limit,
          before: query.cursor,
          actorId: query.actor,
          subjectId: query.subject,
          action: query.action,
          since: query.since?.getTime(),
          until: query.until?.getTime(),
        });
        return {
          events: page.events.map((e) => ({ ...e, occurredAt: new Date(e.occurredAt).toISOString() })),
          nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
        };
      },
    }),
  ];
}

/** Every endpoint of /api/v1, in the order they are matched. */
/** `publicUrl` defaults to the one in the API's base URL (the SSO routes show SP URLs from it). */
export function apiRoutes(deps: ApiDependencies, publicUrl = ''): ApiRoute[] {
  return [
    ...coreRoutes(deps),
    ...memberRoutes(deps),
    ...mappingRoutes(deps.mappings),
    ...accountRoutes(deps),
    ...supportRoutes(deps.support, () => deps.clock.now()),
    ...invitationRoutes(deps.invitations, deps.rateLimits),
    ...deprovisioningRoutes(deps.deprovisioning),
    ...inactivityRoutes(deps.inactivity),
    ...childRoutes(deps.children),
    ...mfaRoutes(deps),
    ...ssoRoutes(deps.sso, publicUrl),
    ...meRoutes(deps.sessions),
    ...domainRoutes(deps.domains),
    ...apiKeyRoutes(deps.apiKeys),
    ...webhookRoutes(deps.webhooks),
    ...eventRoutes(deps.events),
    ...ssfRoutes(deps, { apiBaseUrl: `${publicUrl}/api/v1`, longPollMs: deps.ssfLongPollMs }),
  ];
}

const parseJson = jsonBody({ limit: '256kb' });

/**
 * Every /api/v1 request but the OpenAPI document: a support session (rsp_…) or an API key (rak_…)
 * as a bearer, or else the browser's session cookie.
 */
function authenticate(deps: ApiDependencies): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const cookie = match ? null : readSessionCookie(req);
    if (cookie) {
      res.locals.actor = await cookieActor(deps.sessions, cookie, req, res);
      return next();
    }
    if (!match)
      return sendApiError(
        res,
        401,
        'api_key.missing',
        'Authorization: Bearer <API key or support session>, or the session cookie, is required',
      );
    res.locals.actor = await bearerActor(deps, match[1], req, res);
    await deps.rateLimits.used(credentialOf(match[1]));
    next();
  };
}

/** A support session (rsp_…) or an API key; a refused one counts against the client's address. */
async function bearerActor(deps: ApiDependencies, secret: string, req: Request, res: Response) {
  try {
    return secret.startsWith('rsp_')
      ? await deps.support.authenticate(secret, requestIdOf(res))
      : await deps.apiKeys.authenticate(secret, requestIdOf(res));
  } catch (err) {
    if (err instanceof DomainError && err.kind === 'unauthenticated') await deps.rateLimits.refused(req);
    throw err;
  }
}

/**
 * The rate limit's name of an accepted bearer credential: a digest of its own (a member key's
 * actor names its user, not the key), never the secret, nor the digest it is stored under.
 */
function credentialOf(secret: string): string {
  return `api:${createHash('sha256').update(`rate-limit:${secret}`).digest('hex').slice(0, 32)}`;
}

/**
 * POST /api/v1/authorize, the hot path, registered on the app ahead of the SCIM routes, so a
 * request is not tested against every route layer in front of the router (docs/benchmarks.md).
 * The same route entry as in the router (and the OpenAPI document), the same key check and errors.
 */
export function mountAuthorize(app: Express, deps: ApiDependencies, logger: Logger): void {
  app.post(
    '/api/v1/authorize',
    parseJson,
    authenticate(deps),
    routeHandler(authorizeRoute(deps)),
    apiErrorHandler(logger),
  );
}

/**
 * A browser session acts as its member. Writes with the cookie must carry the session's CSRF
 * token (from GET /me) in X-CSRF-Token: another site can make the browser send the cookie, but
 * cannot read the token. Bearer credentials are never sent by the browser on its own, so they
 * need none.
 */
async function cookieActor(sessions: SessionService, secret: string, req: Request, res: Response) {
  const { actor, session } = await sessions.authenticate(secret, 'admin-api', requestIdOf(res));
  if (!isSafeMethod(req.method) && !csrfMatches(sessions.csrfToken(secret), req.headers[csrfHeader])) {
    throw DomainError.forbidden(
      'csrf.invalid',
      'With the session cookie, writes need the X-CSRF-Token header (the csrfToken of GET /api/v1/me)',
    );
  }
  res.locals.session = session;
  res.locals.sessionSecret = secret;
  return actor;
}

/**
 * The admin and authorization API at /api/v1 (JSON). Authenticated by API keys or the session cookie; each route
 * validates its input once and calls one domain service with the key's actor.
 */
export function apiRouter(deps: ApiDependencies, logger: Logger, baseUrl: string): Router {
  const routes = apiRoutes(deps, baseUrl.replace(/\/api\/v1$/, ''));
  const document = openApiDocument(routes, baseUrl);
  const router = Router();
  router.use(refuseUndecodablePath);
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.use(parseJson);
  registerRoutes(
    router,
    routes.filter((r) => r.public),
  );
  router.use(authenticate(deps));
  registerRoutes(
    router,
    routes.filter((r) => !r.public),
  );
  router.use((_req, res) => sendApiError(res, 404, 'not_found', 'No such endpoint'));
  router.use(apiErrorHandler(logger));
  return router;
}
